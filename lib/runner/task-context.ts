/** The one argument a task method receives. */
export interface TaskContext {
  taskId: string;
  taskName: string;
  /** Aborted when the run times out or the application shuts down: stop work when it fires. */
  signal: AbortSignal;
  /** The planned fire time; null when the run was started by hand. */
  scheduledAt: Date | null;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  runId: string;
  /**
   * `taskId:nominalTime` (epoch ms) for a scheduled run, the same for every attempt and on every
   * replica: a key to make side effects effectively once. Null for a manual run.
   */
  idempotencyKey: string | null;
  /** Cluster mode: grows with each tick of the task, cluster-wide; a store can refuse a stale writer. Else null. */
  fencingToken: number | null;
}
