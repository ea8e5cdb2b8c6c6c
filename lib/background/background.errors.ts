import { describeValue } from '../utils/describe-value.js';

/** Names a job the same way in every message: its name and id. */
function label(jobName: string, jobId: string): string {
  return `Job "${jobName}" (${jobId})`;
}

/** The rejection of a job cancelled by its handle, its caller's signal or shutdown. */
export class JobCancelledError extends Error {
  constructor(
    readonly jobName: string,
    readonly jobId: string,
    readonly reason?: unknown,
  ) {
    super(backgroundMessages.cancelled(jobName, jobId, reason));
    this.name = 'JobCancelledError';
  }
}

/** The rejection of a job that ran past its `timeout`. */
export class JobTimeoutError extends Error {
  constructor(
    readonly jobName: string,
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`${label(jobName, jobId)} timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** The rejection of a thread or process job whose worker died under it (uncaught error, exit). */
export class WorkerCrashedError extends Error {
  constructor(
    readonly jobName: string,
    readonly jobId: string,
    readonly executor: 'thread' | 'process',
    cause: unknown,
  ) {
    super(`${label(jobName, jobId)} lost its worker ${executor}: ${describe(cause)}`, { cause });
    this.name = 'WorkerCrashedError';
  }
}

/** The failure of a thread or process job whose arguments cannot be cloned to the worker. */
export class JobArgumentsError extends Error {
  constructor(
    readonly jobName: string,
    readonly jobId: string,
    cause: unknown,
  ) {
    super(
      `${label(jobName, jobId)} has arguments that cannot be sent to a worker: ${describe(cause)}`,
      { cause },
    );
    this.name = 'JobArgumentsError';
  }
}

/** An error thrown by thread or process work, rebuilt in the main thread from its name, message and stack. */
export class RemoteJobError extends Error {
  constructor(name: string, message: string, stack: string | undefined) {
    super(message);
    this.name = name;
    if (stack !== undefined) this.stack = stack;
  }
}

/** Rejection of `waitAll` at its deadline; nothing is cancelled. `unfinished` lists every job, the message only the first few. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly unfinished: readonly JobRef[],
  ) {
    super(backgroundMessages.waitTimeout(timeoutMs, unfinished));
    this.name = 'WaitTimeoutError';
  }
}

/** Which limit refused a submission. */
export type LimitKind = 'maxCalls' | 'maxConcurrent' | 'notWhileRunning';

/** Thrown by `submit` when a job name's limit refuses the submission. */
export class JobLimitError extends Error {
  constructor(
    readonly jobName: string,
    readonly limit: LimitKind,
    detail: string,
  ) {
    super(`Job "${jobName}" refused by its ${limit} limit: ${detail}`);
    this.name = 'JobLimitError';
  }
}

/** Thrown by `submit` once `shutdown` has begun. */
export class SupervisorClosedError extends Error {
  constructor(readonly jobName: string) {
    super(backgroundMessages.closed(jobName));
    this.name = 'SupervisorClosedError';
  }
}

/** Thrown (as a job failure) when an optional peer dependency for an executor is missing. */
export class ExecutorUnavailableError extends Error {
  constructor(
    readonly executor: 'thread' | 'process',
    readonly packageName: string,
    cause: unknown,
  ) {
    super(
      `The '${executor}' executor needs the optional peer dependency "${packageName}": npm install ${packageName}`,
      { cause },
    );
    this.name = 'ExecutorUnavailableError';
  }
}

// Duck-typed: errors from worker threads or another realm (vm, jest) fail `instanceof Error`.
// Never throws: a reason `String()` refuses (a null-prototype object, a throwing getter) falls
// back to its type tag, since a message that fails to build would turn a cancel into a crash.
function describe(value: unknown): string {
  try {
    const message = (value as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return message;
  } catch {
    // fall through to the string form
  }
  try {
    return String(value);
  } catch {
    // fall through to the type tag
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return 'a value that cannot be described';
  }
}

/** How many jobs a message names before it only counts the rest. */
export const NAMED_JOBS_IN_MESSAGE = 10;

/** What a message needs to name a job. */
export interface JobRef {
  readonly id: string;
  readonly name: string;
}

// Messages name a bounded number of jobs: a list of 100k jobs would make a megabyte-long message.
// An iterable and its count, so that a caller holding a Map need not copy it into an array.
function jobList(jobs: Iterable<JobRef>, count: number): string {
  const named: string[] = [];
  for (const job of jobs) {
    if (named.length === NAMED_JOBS_IN_MESSAGE) break;
    named.push(`"${job.name}" (${job.id})`);
  }
  const more = count - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

const jobCount = (count: number) => `${count} job${count === 1 ? '' : 's'}`;

/** Message factories, kept together so that tests and docs quote one wording. */
export const backgroundMessages = {
  cancelled: (jobName: string, jobId: string, reason: unknown) =>
    `${label(jobName, jobId)} was cancelled${reason === undefined ? '' : `: ${describe(reason)}`}`,
  closed: (jobName: string) =>
    `Cannot submit job "${jobName}": the supervisor is shutting down or shut down`,
  shutdown: 'the supervisor is shutting down',
  shutdownTimeout: (timeoutMs: number) =>
    `the supervisor shut down and its ${timeoutMs} ms grace period ran out`,
  maxCalls: (max: number) => `it may be submitted at most ${max} times and that is used up`,
  maxConcurrent: (max: number) => `at most ${max} may be live (queued, delayed or running) at once`,
  notWhileRunning: (other: string) => `it may not run while "${other}" is live`,
  reservesTooLarge: (reserveNormal: number, reserveHigh: number, poolSize: number) =>
    `reserveNormal + reserveHigh (${reserveNormal} + ${reserveHigh}) must be less than poolSize (${poolSize}) so that low-priority work keeps a slot`,
  notJobNames: (got: unknown) =>
    `must be a job name or an array of job names, got ${describeValue(got)}`,
  executorNeedsDescription: (executor: string) =>
    `'${executor}' work must be a { module, fn, args } description, not a function`,
  inlineNeedsFunction: "'inline' work must be a function, not a { module, fn, args } description",
  notWork: (got: unknown) =>
    `must be an async function or a { module, fn, args } description, got ${describeValue(got)}`,
  notExportName: (got: unknown) =>
    `must be the name of an exported function, got ${describeValue(got)}`,
  notModule: (got: unknown) => `must be a file path or a file URL, got ${describeValue(got)}`,
  notArgs: (got: unknown) => `must be an array of cloneable values, got ${describeValue(got)}`,
  waitTimeout: (timeoutMs: number, unfinished: readonly JobRef[]) =>
    `waitAll timed out after ${timeoutMs} ms; ${unfinished.length} still unfinished: ${jobList(unfinished, unfinished.length)}`,
  shutdownWaiting: (graceMs: number, jobs: Iterable<JobRef>, count: number) =>
    `TaskSupervisor shutdown waits up to ${graceMs} ms for ${jobCount(count)}: ${jobList(jobs, count)}`,
  shutdownCancelling: (graceMs: number, jobs: Iterable<JobRef>, count: number) =>
    `TaskSupervisor shutdown grace period of ${graceMs} ms ran out; cancelling ${jobCount(count)}: ${jobList(jobs, count)}`,
  timeoutAndDeadline: 'give either timeout or deadline, not both',
  deadline: (value: unknown) =>
    `must be a finite number of epoch milliseconds (from Date.now()), got ${describeValue(value)}`,
} as const;
