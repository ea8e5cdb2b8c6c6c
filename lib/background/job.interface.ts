/** Job priorities, highest first; lower priorities never take the slots reserved for higher ones. */
export const JOB_PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;

/** How urgent a job is; `critical` ignores every slot limit. */
export type JobPriority = (typeof JOB_PRIORITIES)[number];

/** Where a job runs: on the event loop, in a worker thread, or in a child process. */
export const EXECUTOR_KINDS = ['inline', 'thread', 'process'] as const;

/** One of the three executors. */
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

/** A job's life: queued or delayed, then started, then one of the four terminal states. */
export type JobStatus =
  'queued' | 'delayed' | 'started' | 'succeeded' | 'failed' | 'cancelled' | 'timedOut';

/** What inline work receives: a signal that aborts on cancel or timeout, and its job's id. */
export interface JobContext {
  readonly signal: AbortSignal;
  readonly jobId: string;
}

/** Inline work: an async function run on the event loop. */
export type InlineWork<T> = (context: JobContext) => Promise<T> | T;

/** Thread or process work: a module (path or file URL), its exported function and cloneable args. */
export interface WorkerWork {
  module: string | URL;
  fn: string;
  args?: unknown[];
}

/** Per-job options of `TaskSupervisor.submit`. */
export interface SubmitOptions {
  /** Defaults to 'normal'. */
  priority?: JobPriority;
  /** Defaults to 'inline' for a function and 'thread' for a `{ module, fn, args }` description. */
  executor?: ExecutorKind;
  /** Milliseconds the job may run once started; it is then aborted and marked timedOut. */
  timeout?: number;
  /** Milliseconds to wait before the job joins the queue. */
  delay?: number;
  /** Cancels the job when it aborts. */
  signal?: AbortSignal;
  /** Names the job in errors and events, and selects its limits; defaults to the function name. */
  name?: string;
}

/** Inline submission: a function, optionally with `executor: 'inline'`. */
export type InlineSubmitOptions = SubmitOptions & { executor?: 'inline' };

/** Worker submission: a module description, on a thread (default) or a child process. */
export type WorkerSubmitOptions = SubmitOptions & { executor?: 'thread' | 'process' };

/** The caller's view of a submitted job: its identity, timestamps, outcome and a way to cancel it. */
export interface JobHandle<T = unknown> {
  readonly id: string;
  readonly name: string;
  readonly priority: JobPriority;
  readonly executor: ExecutorKind;
  readonly status: JobStatus;
  readonly timeQueued: Date;
  readonly timeStarted: Date | null;
  readonly timeFinished: Date | null;
  /** Settles with the job's value, or rejects with its error, cancellation or timeout. */
  readonly result: Promise<T>;
  /** The job's error once it failed, was cancelled or timed out. */
  readonly error: unknown;
  /** Cancels the job; false when it had already finished. */
  cancel(reason?: unknown): boolean;
}
