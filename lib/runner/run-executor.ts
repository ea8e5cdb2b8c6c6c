import { TaskTimeoutError } from '../errors.js';
import { RunAttempt, type AttemptOwner, type RunWaiter } from './run-attempt.js';
import { nextRunSeq } from './run-id.js';
import {
  describeError,
  recordOf,
  summariseResult,
  type RunFields,
  type RunOrigin,
  type RunRecord,
} from './run-record.js';
import type { RunFieldStore, RunStore } from './run-store.js';
import type { ScheduledTask } from './scheduled-task.js';
import { eventBase, type SchedulerEvent } from './scheduler-events.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import type { TaskContext } from './task-context.js';
import { backoffDelay } from './task-policies.js';

/** Wraps every run: for tracing, metrics or request context. Must call `run` and return its result. */
export type RunWrapper = (context: TaskContext, run: () => Promise<unknown>) => Promise<unknown>;

/** The reason a run's signal is aborted when the application shuts down. */
export class ShutdownAbortError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}" was aborted because the application is shutting down`);
    this.name = 'ShutdownAbortError';
  }
}

/** Where events go; emitting is skipped entirely while nobody listens. */
export interface EventSink {
  readonly observed: boolean;
  next(event: SchedulerEvent): void;
}

/** What the executor needs from the scheduler. */
export interface RunExecutorDeps {
  logger: SchedulerLogger;
  store: RunStore;
  events: EventSink;
  wrapRun?: RunWrapper;
  random: () => number;
  /** Called once per run, after its last attempt. */
  runDone(task: ScheduledTask, last: RunAttempt): void;
}

/**
 * Starts runs and finishes them: timeouts, retries with backoff, history records, logs and events.
 * A method is called synchronously by `start`; everything after it settles happens in one
 * microtask per batch of settled attempts, so a thousand due tasks all start before any
 * bookkeeping runs.
 */
export class RunExecutor implements AttemptOwner {
  /** Attempts in progress, as an intrusive list (see RunAttempt.prevActive): no hashing per start. */
  private activeHead: RunAttempt | null = null;
  private readonly backoffs = new Set<RunAttempt>();
  private settledBatch: RunAttempt[] = [];
  private stopping = false;
  private readonly fieldStore: RunFieldStore | null;

  constructor(private readonly deps: RunExecutorDeps) {
    const store = deps.store as Partial<RunFieldStore>;
    this.fieldStore = typeof store.addFields === 'function' ? (store as RunFieldStore) : null;
  }

  /** Starts attempt 1 of a run of `task`; `scheduledAtMs` is -1 for a manual run. */
  start(
    task: ScheduledTask,
    origin: RunOrigin,
    scheduledAtMs: number,
    waiter: RunWaiter | null,
  ): void {
    this.startAttempt(new RunAttempt(task, origin, scheduledAtMs, 1, waiter, this));
  }

  /** Names of the tasks with an attempt in progress. */
  activeTaskNames(): string[] {
    return [...new Set(this.activeAttempts().map((attempt) => attempt.task.name))];
  }

  /** No retry starts from now on; runs waiting for a retry end with their last outcome. */
  stopRetries(): void {
    this.stopping = true;
    for (const attempt of this.backoffs) {
      if (attempt.timer !== null) clearTimeout(attempt.timer);
      this.deps.runDone(attempt.task, attempt);
      attempt.waiter?.reject(attempt.outcome);
    }
    this.backoffs.clear();
  }

  /** Aborts every attempt in progress with a shutdown reason; each settles as cancelled. */
  abortAll(): void {
    for (const attempt of this.activeAttempts()) {
      attempt.abort(new ShutdownAbortError(attempt.task.name), 'cancelled');
    }
  }

  /** Records a fire time, or a manual run (`scheduledAtMs` -1), that did not run. */
  recordNotRun(
    task: ScheduledTask,
    status: 'skipped' | 'missed',
    scheduledAtMs: number,
    why: string,
    origin: 'schedule' | 'manual' = 'schedule',
  ): void {
    const fields: RunFields = {
      runSeq: nextRunSeq(),
      origin,
      scheduledAtMs,
      startedAtMs: -1,
      finishedAtMs: Date.now(),
      status,
      attempt: 1,
      error: null,
      result: null,
    };
    const record = recordOf(task.id, task.name, fields);
    task.countOutcome(status, record);
    this.store(task, fields, record);
    const what = record.scheduledAt
      ? `its fire time ${record.scheduledAt.toISOString()}`
      : 'a manual run';
    this.deps.logger.debug?.(`Task "${task.name}" ${status} ${what}: ${why}`);
    const events = this.deps.events;
    if (events.observed) events.next({ ...eventBase(task), type: status, record });
  }

  settled(attempt: RunAttempt): void {
    this.removeActive(attempt);
    // A resolved promise, not queueMicrotask: jest's fake timers replace the latter.
    if (this.settledBatch.length === 0) void RESOLVED.then(this.finishBatch);
    this.settledBatch.push(attempt);
  }

  private startAttempt(attempt: RunAttempt): void {
    const { task } = attempt;
    task.countStart();
    attempt.startedAtMs = Date.now();
    const head = this.activeHead;
    attempt.nextActive = head;
    if (head !== null) head.prevActive = attempt;
    this.activeHead = attempt;
    const events = this.deps.events;
    if (events.observed) {
      events.next({
        ...eventBase(task),
        type: 'started',
        runId: attempt.runId,
        scheduledAt: attempt.scheduledAt,
        attempt: attempt.attempt,
      });
    }
    const timeout = task.policies.timeout;
    if (timeout !== null) attempt.timer = setTimeout(onAttemptTimeout, timeout, attempt, timeout);
    const wrapRun = this.deps.wrapRun;
    if (wrapRun) {
      attempt.invoke((context) =>
        wrapRun(context, () => new Promise((resolve) => resolve(task.handler(context)))),
      );
    } else {
      attempt.invoke(task.handler);
    }
  }

  /** The attempts in progress, oldest first. */
  private activeAttempts(): RunAttempt[] {
    const attempts: RunAttempt[] = [];
    for (let at = this.activeHead; at !== null; at = at.nextActive) attempts.push(at);
    return attempts.reverse();
  }

  private removeActive(attempt: RunAttempt): void {
    const { prevActive, nextActive } = attempt;
    if (prevActive !== null) prevActive.nextActive = nextActive;
    else if (this.activeHead === attempt) this.activeHead = nextActive;
    else return; // not in the list
    if (nextActive !== null) nextActive.prevActive = prevActive;
    attempt.prevActive = attempt.nextActive = null;
  }

  private readonly finishBatch = (): void => {
    const batch = this.settledBatch;
    this.settledBatch = [];
    for (const attempt of batch) this.finish(attempt);
  };

  private finish(attempt: RunAttempt): void {
    const { task, status } = attempt;
    const failed = status !== 'succeeded';
    if (failed) attempt.errorInfo = describeError(attempt.outcome);
    else attempt.resultSummary = summariseResult(attempt.outcome);
    task.countOutcome(status!, attempt);
    this.store(task, attempt.toFields());
    this.report(task, attempt);
    const { retry } = task.policies;
    const retryable = status === 'failed' || status === 'timedOut';
    if (retryable && attempt.attempt < retry.attempts && !this.stopping) {
      this.retryLater(attempt, backoffDelay(retry, attempt.attempt, this.deps.random));
      return;
    }
    this.deps.runDone(task, attempt);
    if (!attempt.waiter) return;
    if (failed) attempt.waiter.reject(attempt.outcome);
    else attempt.waiter.resolve(attempt.outcome);
  }

  private retryLater(failed: RunAttempt, delayMs: number): void {
    const { task } = failed;
    const events = this.deps.events;
    if (events.observed) {
      const error = describeError(failed.outcome).message;
      events.next({
        ...eventBase(task),
        type: 'retrying',
        attempt: failed.attempt + 1,
        delayMs,
        error,
      });
    }
    this.backoffs.add(failed);
    failed.timer = setTimeout(() => {
      this.backoffs.delete(failed);
      const next = new RunAttempt(
        task,
        failed.origin,
        failed.scheduledAtMs,
        failed.attempt + 1,
        failed.waiter,
        this,
      );
      this.startAttempt(next);
    }, delayMs);
  }

  /** Hands a run to the store: as fields when it takes them, else as a record. */
  private store(task: ScheduledTask, fields: RunFields, record?: RunRecord): void {
    try {
      if (this.fieldStore) {
        this.fieldStore.addFields(task.id, task.name, fields);
        return;
      }
      const stored = this.deps.store.add(record ?? recordOf(task.id, task.name, fields));
      if (stored) stored.catch((storeError: unknown) => this.logStoreError(task, storeError));
    } catch (storeError) {
      this.logStoreError(task, storeError);
    }
  }

  private report(task: ScheduledTask, attempt: RunAttempt): void {
    const { status } = attempt;
    if (status === 'failed') {
      const { message, stack } = attempt.errorInfo!;
      this.deps.logger.error(
        `Task "${task.name}" failed (attempt ${attempt.attempt}): ${message}`,
        stack ?? undefined,
      );
    } else if (status === 'timedOut' || status === 'cancelled') {
      this.deps.logger.warn(attempt.errorInfo!.message);
    }
    const events = this.deps.events;
    if (events.observed)
      events.next({
        ...eventBase(task),
        type: status!,
        record: attempt.toRecord(),
      } as SchedulerEvent);
  }

  private logStoreError(task: ScheduledTask, error: unknown): void {
    const { message, stack } = describeError(error);
    this.deps.logger.error(
      `Could not store a run of task "${task.name}": ${message}`,
      stack ?? undefined,
    );
  }
}

const RESOLVED = Promise.resolve();

function onAttemptTimeout(attempt: RunAttempt, timeout: number): void {
  attempt.timer = null;
  attempt.abort(new TaskTimeoutError(attempt.task.name, timeout), 'timedOut');
}
