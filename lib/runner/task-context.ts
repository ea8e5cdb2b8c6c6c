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
}
