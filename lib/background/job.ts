import type {
  ExecutorKind,
  InlineWork,
  JobHandle,
  JobPriority,
  JobStatus,
} from './job.interface.js';
import type { QueueLinks } from './linked-queue.js';

/** Thread or process work after submit has normalised it: a resolvable specifier and an args array. */
export interface ResolvedWorkerWork {
  module: string;
  fn: string;
  args: unknown[];
}

/** What a job's handle calls back into: the supervisor that owns it. */
export interface JobOwner {
  cancel(job: Job, reason: unknown): boolean;
}

/** True for the four states a job never leaves. */
export function isTerminal(status: JobStatus): boolean {
  return status !== 'queued' && status !== 'delayed' && status !== 'started';
}

/** The public id of the job with this sequence number. */
export function jobId(seq: number): string {
  return `job-${seq}`;
}

/** The sequence number in a job id, or undefined when the id is not one of ours. */
export function jobSeq(id: string): number | undefined {
  const match = /^job-(\d+)$/.exec(id);
  return match === null ? undefined : Number(match[1]);
}

// Times are kept as milliseconds since this epoch: V8 stores integers below 2^31 unboxed, where
// raw Date.now() values would be a heap-allocated number each, three per job. (After 24.8 days of
// uptime they are boxed again; still correct, only slower.)
const EPOCH = Date.now();

/** Milliseconds since the module's epoch; what the job's time fields hold. */
export function clock(): number {
  return Date.now() - EPOCH;
}

const NOT_YET = -1;
const NOT_ABORTED: unique symbol = Symbol('not aborted');

function markHandled(promise: Promise<unknown>): void {
  promise.catch(() => undefined);
}

// The Promise executor is one shared function rather than a closure per job: a Promise runs its
// executor synchronously, so the resolvers can be picked up from these variables right after.
let capturedResolve: ((value: unknown) => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;
function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

interface CallerLink {
  signal: AbortSignal;
  listener: () => void;
}

/**
 * The supervisor's record of one job, handed to callers as its `JobHandle`. Kept small for the
 * inline hot path: no id string, Date, promise or AbortController exists until someone asks.
 */
export class Job implements JobHandle, QueueLinks<Job> {
  status: JobStatus = 'queued';
  startedAt = NOT_YET;
  finishedAt = NOT_YET;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Neighbours in its executor's queue while queued, so that cancel can unlink it in O(1). */
  queuePrev: Job | undefined = undefined;
  queueNext: Job | undefined = undefined;
  /** Also aborted with the job: how a worker executor learns of a cancel without an AbortController. */
  abortTarget: { abort(reason: unknown): void } | undefined = undefined;
  /** The value once succeeded, the error once failed, cancelled or timed out. */
  private outcome: unknown = undefined;
  private abortReason: unknown = NOT_ABORTED;
  private controller: AbortController | undefined = undefined;
  private promise: Promise<unknown> | undefined = undefined;
  /** Set only while a result promise someone holds is pending. */
  private resolvePromise: ((value: unknown) => void) | undefined = undefined;
  private rejectPromise: ((error: unknown) => void) | undefined = undefined;
  private caller: CallerLink | undefined = undefined;

  constructor(
    /** The number in the id; maps are keyed by it, since number keys hash faster than strings. */
    readonly seq: number,
    readonly name: string,
    readonly priority: JobPriority,
    readonly executor: ExecutorKind,
    readonly work: InlineWork<unknown> | ResolvedWorkerWork,
    readonly timeoutMs: number,
    readonly queuedAt: number,
    private readonly owner: JobOwner,
  ) {}

  get id(): string {
    return jobId(this.seq);
  }

  get timeQueued(): Date {
    return new Date(EPOCH + this.queuedAt);
  }

  get timeStarted(): Date | null {
    return this.startedAt === NOT_YET ? null : new Date(EPOCH + this.startedAt);
  }

  get timeFinished(): Date | null {
    return this.finishedAt === NOT_YET ? null : new Date(EPOCH + this.finishedAt);
  }

  get error(): unknown {
    return this.status === 'succeeded' ? undefined : this.outcome;
  }

  get result(): Promise<unknown> {
    if (this.promise !== undefined) return this.promise;
    if (this.status === 'succeeded') {
      this.promise = Promise.resolve(this.outcome);
    } else if (isTerminal(this.status)) {
      this.promise = Promise.reject(this.outcome);
      // A rejection nobody awaits must not become an unhandledRejection; awaiting it still throws.
      markHandled(this.promise);
    } else {
      this.promise = new Promise(capture);
      this.resolvePromise = capturedResolve;
      this.rejectPromise = capturedReject;
      capturedResolve = capturedReject = undefined;
    }
    return this.promise;
  }

  /** Aborts when the job is cancelled or times out; created on first read. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== NOT_ABORTED) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  cancel(reason?: unknown): boolean {
    return this.owner.cancel(this, reason);
  }

  /** Aborts the job's signal, now or, if nobody has read it yet, when it is first read. */
  abort(reason: unknown): void {
    if (this.abortReason !== NOT_ABORTED) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.abortTarget?.abort(reason);
  }

  /** Cancels the job when the caller's signal aborts, until the job finishes. */
  follow(signal: AbortSignal): void {
    const listener = () => this.owner.cancel(this, signal.reason);
    this.caller = { signal, listener };
    signal.addEventListener('abort', listener, { once: true });
  }

  /** Records the outcome and settles the result promise if one was handed out. */
  settle(status: JobStatus, outcome: unknown, now: number): void {
    this.status = status;
    this.finishedAt = now;
    this.outcome = outcome;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.caller !== undefined) {
      this.caller.signal.removeEventListener('abort', this.caller.listener);
      this.caller = undefined;
    }
    const { resolvePromise, rejectPromise } = this;
    if (resolvePromise === undefined || rejectPromise === undefined) return;
    this.resolvePromise = this.rejectPromise = undefined;
    if (status === 'succeeded') {
      resolvePromise(outcome);
    } else {
      markHandled(this.promise!);
      rejectPromise(outcome);
    }
  }
}
