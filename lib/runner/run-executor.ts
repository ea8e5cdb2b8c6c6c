import { messages, ShutdownAbortError, TaskTimeoutError } from '../errors.js';
import { WaitList } from '../utils/wait-list.js';
import { RunAttempt, type RunWaiter } from './run-attempt.js';
import { newRunId } from './run-id.js';
import { describeError, type RunOrigin, type RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';
import type { ScheduledTask } from './scheduled-task.js';
import { emitEvent, emitOutcome, type EventBody, type EventSink } from './scheduler-events.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import type { TaskContext } from './task-context.js';
import { backoffDelay } from './task-policies.js';

/** Wraps every run: for tracing, metrics or request context. Must call `run` and return its result. */
export type RunWrapper = (context: TaskContext, run: () => Promise<unknown>) => Promise<unknown>;

/** What the executor needs from the scheduler. */
export interface RunExecutorDeps {
  logger: SchedulerLogger;
  store: RunStore;
  events: EventSink;
  wrapRun?: RunWrapper;
  random: () => number;
  /** Called once per run, after its last attempt, when the task's `activeRuns` is already down. */
  runEnded(task: ScheduledTask, record: RunRecord): void;
}

/**
 * Owns runs in flight: starts them, settles them (timeouts, aborts), retries them with backoff,
 * records their history, logs and events, and drains them at shutdown. A method is called
 * synchronously by `start`; the bookkeeping of settled attempts runs in one microtask per batch, so
 * a thousand due tasks all start before any of it. Each step after a run settles is guarded on its
 * own: one broken run, logger or store cannot stop the others.
 */
export class RunExecutor {
  private readonly active = new Set<RunAttempt>();
  private readonly backoffs = new Set<RunAttempt>();
  private settledBatch: RunAttempt[] = [];
  private readonly drained = new WaitList();
  private retriesStopped = false;
  /** Runs started and not ended (retries included): each run counts once. */
  runsInFlight = 0;

  constructor(private readonly deps: RunExecutorDeps) {}

  /** Starts attempt 1 of a run of `task`; `scheduledAtMs` is null for a manual run. */
  start(
    task: ScheduledTask,
    origin: RunOrigin,
    scheduledAtMs: number | null,
    waiter: RunWaiter | null,
    fencingToken: number | null = null,
  ): void {
    task.activeRuns++;
    this.runsInFlight++;
    const attempt = new RunAttempt(
      task,
      origin,
      scheduledAtMs,
      1,
      waiter,
      this.onSettled,
      fencingToken,
    );
    this.startAttempt(attempt);
  }

  /**
   * Records a fire time (or a manual run, `scheduledAtMs` null) that did not run; a tick won in a
   * cluster keeps its `fencingToken`, whose record clears the run marked in flight for it.
   */
  recordNotRun(
    task: ScheduledTask,
    status: 'skipped' | 'missed',
    scheduledAtMs: number | null,
    why: string,
    origin: 'schedule' | 'manual' = 'schedule',
    fencingToken: number | null = null,
  ): void {
    const record: RunRecord = {
      runId: newRunId(),
      taskId: task.id,
      taskName: task.name,
      origin,
      scheduledAt: scheduledAtMs === null ? null : new Date(scheduledAtMs),
      startedAt: null,
      finishedAt: new Date(),
      status,
      attempt: 1,
      error: null,
      result: null,
      ...(fencingToken === null ? {} : { fencingToken }),
    };
    this.record(task, record);
    const what = record.scheduledAt
      ? `its fire time ${record.scheduledAt.toISOString()}`
      : 'a manual run';
    this.deps.logger.debug?.(`Task "${task.name}" ${status} ${what}: ${why}`);
  }

  /**
   * Stops retries, waits for runs in flight until `deadlineMs` (epoch ms), then aborts the rest
   * and waits for them to settle. Says once what it waits for, and again if it aborts.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.stopRetries();
    if (this.runsInFlight === 0) return;
    const waitMs = Math.max(0, deadlineMs - Date.now());
    this.deps.logger.log(messages.shutdownWaiting(this.activeTaskNames(), waitMs));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), waitMs);
    });
    const result = await Promise.race([this.whenDrained().then(() => 'drained'), deadline]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.deps.logger.warn(messages.shutdownTimeout(this.activeTaskNames()));
      for (const attempt of [...this.active]) {
        attempt.abort(new ShutdownAbortError(attempt.task.name), 'cancelled');
      }
      await this.whenDrained();
    }
  }

  /** Aborts the task's runs in flight (and its pending retries) with `reason`; each ends cancelled. */
  abortRuns(task: ScheduledTask, reason: unknown): void {
    for (const attempt of [...this.backoffs]) {
      if (attempt.task !== task) continue;
      this.backoffs.delete(attempt);
      if (attempt.timer !== null) clearTimeout(attempt.timer);
      this.end(attempt, attempt.toRecord());
    }
    for (const attempt of [...this.active]) {
      if (attempt.task === task) attempt.abort(reason, 'cancelled');
    }
  }

  /** Cluster mode: the runs in flight here that hold a tick's fencing token, to renew their marks. */
  tokenRuns(): { taskId: string; fencingToken: number }[] {
    const runs: { taskId: string; fencingToken: number }[] = [];
    for (const attempts of [this.active, this.backoffs]) {
      for (const { task, fencingToken } of attempts) {
        if (fencingToken !== null) runs.push({ taskId: task.id, fencingToken });
      }
    }
    return runs;
  }

  /** Names of the tasks with a run in flight (a few, then a count). */
  activeTaskNames(): string[] {
    return [...new Set([...this.active].map((attempt) => attempt.task.name))];
  }

  private whenDrained(): Promise<void> {
    return this.runsInFlight === 0 ? Promise.resolve() : this.drained.wait();
  }

  /** No retry starts from now on; runs waiting for a retry end with their last outcome. */
  private stopRetries(): void {
    this.retriesStopped = true;
    for (const attempt of this.backoffs) {
      if (attempt.timer !== null) clearTimeout(attempt.timer);
      this.end(attempt, attempt.toRecord());
    }
    this.backoffs.clear();
  }

  private startAttempt(attempt: RunAttempt): void {
    const { task } = attempt;
    task.countStart();
    this.active.add(attempt);
    // Checked here: 'started' fires on every run, and its body is not free to build.
    if (this.deps.events.wants('started')) {
      this.emit(task, {
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

  private readonly onSettled = (attempt: RunAttempt): void => {
    this.active.delete(attempt);
    // A resolved promise, not queueMicrotask: jest's fake timers replace the latter.
    if (this.settledBatch.length === 0) void RESOLVED.then(this.finishBatch);
    this.settledBatch.push(attempt);
  };

  private readonly finishBatch = (): void => {
    const batch = this.settledBatch;
    this.settledBatch = [];
    for (const attempt of batch) {
      try {
        this.finish(attempt);
      } catch (error) {
        // Only a bug of ours gets here; the run must still end, or the task stays running.
        this.logInternalError(attempt.task, error);
        if (!attempt.ended && !this.backoffs.has(attempt)) this.end(attempt, null);
      }
    }
  };

  private finish(attempt: RunAttempt): void {
    const { task, status } = attempt;
    const record = attempt.toRecord();
    this.record(task, record);
    this.report(task, record);
    const { retry } = task.policies;
    const retryable = status === 'failed' || status === 'timedOut';
    if (retryable && attempt.attempt < retry.attempts && !this.retriesStopped) {
      this.retryLater(attempt, backoffDelay(retry, attempt.attempt, this.deps.random));
      return;
    }
    this.end(attempt, record);
  }

  /** Ends a run: the task is told, then whoever waits for it. */
  private end(attempt: RunAttempt, record: RunRecord | null): void {
    const { task, waiter } = attempt;
    attempt.ended = true;
    task.activeRuns--;
    this.runsInFlight--;
    try {
      this.deps.runEnded(task, record ?? attempt.toRecord());
    } catch (error) {
      this.logInternalError(task, error);
    }
    if (this.runsInFlight === 0) this.drained.release();
    if (attempt.status === 'succeeded') waiter?.resolve(attempt.outcome);
    else waiter?.reject(attempt.outcome);
  }

  private retryLater(failed: RunAttempt, delayMs: number): void {
    const { task } = failed;
    this.emit(task, {
      type: 'retrying',
      attempt: failed.attempt + 1,
      delayMs,
      error: describeError(failed.outcome).message,
    });
    this.backoffs.add(failed);
    failed.timer = setTimeout(() => {
      this.backoffs.delete(failed);
      const { origin, scheduledAtMs, waiter, fencingToken } = failed;
      const next = failed.attempt + 1;
      this.startAttempt(
        new RunAttempt(task, origin, scheduledAtMs, next, waiter, this.onSettled, fencingToken),
      );
    }, delayMs);
  }

  /** Counts an outcome, keeps it as the task's last run, hands it to the store and emits it. */
  private record(task: ScheduledTask, record: RunRecord): void {
    task.countOutcome(record);
    try {
      const stored = this.deps.store.add(record);
      if (stored) stored.catch((storeError: unknown) => this.logStoreError(task, storeError));
    } catch (storeError) {
      this.logStoreError(task, storeError);
    }
    emitOutcome(this.deps.events, task, record);
  }

  private report(task: ScheduledTask, record: RunRecord): void {
    const { status, error } = record;
    if (status === 'failed') {
      this.deps.logger.error(
        `Task "${task.name}" failed (attempt ${record.attempt}): ${error!.message}`,
        error!.stack ?? undefined,
      );
    } else if (status === 'timedOut' || status === 'cancelled') {
      this.deps.logger.warn(error!.message);
    }
  }

  private emit(task: ScheduledTask, body: EventBody): void {
    emitEvent(this.deps.events, task, body);
  }

  private logStoreError(task: ScheduledTask, error: unknown): void {
    const { message, stack } = describeError(error);
    this.deps.logger.error(
      `Could not store a run of task "${task.name}": ${message}`,
      stack ?? undefined,
    );
  }

  private logInternalError(task: ScheduledTask, error: unknown): void {
    const { message, stack } = describeError(error);
    this.deps.logger.error(
      `Task "${task.name}": finishing a run failed: ${message}`,
      stack ?? undefined,
    );
  }
}

const RESOLVED = Promise.resolve();

function onAttemptTimeout(attempt: RunAttempt, timeout: number): void {
  attempt.timer = null;
  attempt.abort(new TaskTimeoutError(attempt.task.name, timeout), 'timedOut');
}
