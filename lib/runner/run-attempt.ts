import { nextRunSeq, runIdOf } from './run-id.js';
import {
  recordOf,
  type RunFields,
  type RunOrigin,
  type RunRecord,
  type RunStatus,
} from './run-record.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { TaskContext } from './task-context.js';

/** Who waits for a run's final outcome (a manual run's promise, a startup task). */
export interface RunWaiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** What an attempt reports to when it settles. */
export interface AttemptOwner {
  settled(attempt: RunAttempt): void;
}

/**
 * One attempt of one run, and the `TaskContext` its method receives. Built for the dispatch hot
 * path: the AbortController, run id and Date objects exist only once someone reads them, and
 * settling is a flag check instead of a promise race.
 */
export class RunAttempt implements TaskContext {
  status: Exclude<RunStatus, 'skipped' | 'missed'> | null = null;
  /** The returned value once succeeded, the error otherwise. */
  outcome: unknown = undefined;
  startedAtMs = 0;
  finishedAtMs = 0;
  timer: ReturnType<typeof setTimeout> | null = null;
  private controller: AbortController | null = null;
  private abortReason: unknown = undefined;
  /** Numbered at creation; the id string is made only when read. */
  readonly runSeq = nextRunSeq();
  /** Filled in when the attempt finishes: what history keeps of the error and the value. */
  errorInfo: RunRecord['error'] = null;
  resultSummary: string | null = null;
  /** Links of the executor's list of attempts in progress. */
  prevActive: RunAttempt | null = null;
  nextActive: RunAttempt | null = null;

  constructor(
    readonly task: ScheduledTask,
    readonly origin: RunOrigin,
    /** Planned fire time in epoch ms, or -1 for a manual run. */
    readonly scheduledAtMs: number,
    readonly attempt: number,
    readonly waiter: RunWaiter | null,
    private readonly owner: AttemptOwner,
  ) {}

  get taskId(): string {
    return this.task.id;
  }

  get taskName(): string {
    return this.task.name;
  }

  get scheduledAt(): Date | null {
    return this.scheduledAtMs < 0 ? null : new Date(this.scheduledAtMs);
  }

  get runId(): string {
    return runIdOf(this.runSeq);
  }

  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** The fields history keeps, once finished. */
  toFields(): RunFields {
    return {
      runSeq: this.runSeq,
      origin: this.origin,
      scheduledAtMs: this.scheduledAtMs,
      startedAtMs: this.startedAtMs,
      finishedAtMs: this.finishedAtMs,
      status: this.status!,
      attempt: this.attempt,
      error: this.errorInfo,
      result: this.resultSummary,
    };
  }

  /** The history record of this attempt, once finished; built on demand. */
  toRecord(): RunRecord {
    return recordOf(this.task.id, this.task.name, this.toFields());
  }

  /** Marks the outcome once; later outcomes (a method finishing after its timeout) are ignored. */
  settle(status: NonNullable<RunAttempt['status']>, outcome: unknown): void {
    if (this.status !== null) return;
    this.status = status;
    this.outcome = outcome;
    this.finishedAtMs = Date.now();
    if (this.timer !== null) clearTimeout(this.timer);
    this.owner.settled(this);
  }

  /** Aborts the method's signal and settles at once, without waiting for the method. */
  abort(reason: unknown, status: 'timedOut' | 'cancelled'): void {
    if (this.status !== null) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.settle(status, reason);
  }

  /** Calls the method; a returned promise settles the attempt later, anything else at once. */
  invoke(call: (context: TaskContext) => unknown): void {
    try {
      const result = call(this);
      if (isThenable(result)) {
        // Inside the try: a thenable whose `then` throws must fail the run, not leave it running.
        result.then(
          (value) => this.settle('succeeded', value),
          (error: unknown) => this.settle('failed', error),
        );
      } else {
        this.settle('succeeded', result);
      }
    } catch (error) {
      this.settle('failed', error);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
