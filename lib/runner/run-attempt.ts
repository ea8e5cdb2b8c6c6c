import { newRunId } from './run-id.js';
import {
  describeError,
  summariseResult,
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

/** How an attempt that ran can end. */
export type AttemptStatus = Exclude<RunStatus, 'skipped' | 'missed'>;

/**
 * One attempt of one run, and the `TaskContext` its method receives. It settles once: a method
 * that finishes after its timeout or abort changes nothing.
 */
export class RunAttempt implements TaskContext {
  readonly runId = newRunId();
  status: AttemptStatus | null = null;
  /** The returned value once succeeded, the error otherwise. */
  outcome: unknown = undefined;
  readonly startedAtMs = Date.now();
  finishedAtMs = 0;
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Set once the run this attempt belongs to has ended (no retry follows). */
  ended = false;
  /** Made when the method first reads `signal`: most methods never do, and it costs a microsecond. */
  private controller: AbortController | null = null;
  private abortReason: unknown = undefined;

  constructor(
    readonly task: ScheduledTask,
    readonly origin: RunOrigin,
    /** Planned fire time in epoch ms, or null for a manual run. */
    readonly scheduledAtMs: number | null,
    readonly attempt: number,
    readonly waiter: RunWaiter | null,
    private readonly onSettled: (attempt: RunAttempt) => void,
    /** The fencing token of the tick, in cluster mode; else null. */
    readonly fencingToken: number | null = null,
  ) {}

  get idempotencyKey(): string | null {
    return this.scheduledAtMs === null ? null : `${this.task.id}:${this.scheduledAtMs}`;
  }

  get taskId(): string {
    return this.task.id;
  }

  get taskName(): string {
    return this.task.name;
  }

  get scheduledAt(): Date | null {
    return this.scheduledAtMs === null ? null : new Date(this.scheduledAtMs);
  }

  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** The history record of this attempt, once settled. */
  toRecord(): RunRecord {
    const failed = this.status !== 'succeeded';
    return {
      runId: this.runId,
      taskId: this.task.id,
      taskName: this.task.name,
      origin: this.origin,
      scheduledAt: this.scheduledAt,
      startedAt: new Date(this.startedAtMs),
      finishedAt: new Date(this.finishedAtMs),
      status: this.status!,
      attempt: this.attempt,
      error: failed ? describeError(this.outcome) : null,
      result: failed ? null : summariseResult(this.outcome),
      ...(this.fencingToken === null ? {} : { fencingToken: this.fencingToken }),
    };
  }

  /** Marks the outcome once; later outcomes (a method finishing after its timeout) are ignored. */
  settle(status: AttemptStatus, outcome: unknown): void {
    if (this.status !== null) return;
    this.status = status;
    this.outcome = outcome;
    this.finishedAtMs = Date.now();
    if (this.timer !== null) clearTimeout(this.timer);
    this.onSettled(this);
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
