/** Attribute names of the spans `AioClockTracingHook` opens. */
export const SPAN_ATTRIBUTES = {
  taskName: 'aioclock.task.name',
  taskId: 'aioclock.task.id',
  taskGroup: 'aioclock.task.group',
  runId: 'aioclock.run.id',
  attempt: 'aioclock.run.attempt',
  /** The nominal fire time (ISO 8601); absent for a manual run. */
  scheduledAt: 'aioclock.run.scheduled_at',
  instanceId: 'aioclock.cluster.instance_id',
  fencingToken: 'aioclock.cluster.fencing_token',
  jobId: 'aioclock.job.id',
  jobName: 'aioclock.job.name',
  jobExecutor: 'aioclock.job.executor',
  jobPriority: 'aioclock.job.priority',
  jobStatus: 'aioclock.job.status',
} as const;

/** The name of the tracer the hook asks the global provider for. */
export const TRACER_NAME = 'nestjs-aioclock';
