import { randomUUID } from 'node:crypto';
import { TaskTimeoutError } from '../errors.js';
import { abortableSleep } from '../utils/abortable-sleep.js';
import {
  describeError,
  summariseResult,
  type RunOrigin,
  type RunRecord,
  type RunStatus,
} from './run-record.js';
import type { RunStore } from './run-store.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerEvent } from './scheduler-events.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import type { TaskContext } from './task-context.js';
import { backoffDelay } from './task-policies.js';

/** Wraps every run: for tracing, metrics or request context. Must call `run` and return its result. */
export type RunWrapper = (context: TaskContext, run: () => Promise<unknown>) => Promise<unknown>;

/** How a run ended, after its retries. */
export type RunOutcome =
  | { status: 'succeeded'; value: unknown }
  | { status: Exclude<RunStatus, 'succeeded'>; error: unknown };

/** The reason a run's signal is aborted when the application shuts down. */
export class ShutdownAbortError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}" was aborted because the application is shutting down`);
    this.name = 'ShutdownAbortError';
  }
}

/** What the executor needs from the scheduler. */
export interface RunExecutorDeps {
  logger: SchedulerLogger;
  store: RunStore;
  emit: (build: () => SchedulerEvent) => void;
  wrapRun?: RunWrapper;
  /** Aborted when shutdown begins: no retry starts after that. */
  stopping: AbortSignal;
  random: () => number;
}

interface ActiveAttempt {
  task: ScheduledTask;
  controller: AbortController;
}

/** Runs one task run: its attempts, timeouts and retries; records history and emits events. */
export class RunExecutor {
  private readonly active = new Set<ActiveAttempt>();

  constructor(private readonly deps: RunExecutorDeps) {}

  /** Names of the tasks with an attempt in progress. */
  activeTaskNames(): string[] {
    return [...new Set([...this.active].map((attempt) => attempt.task.name))];
  }

  /** Aborts every attempt in progress with a shutdown reason; each settles as cancelled. */
  abortAll(): void {
    for (const { task, controller } of this.active)
      controller.abort(new ShutdownAbortError(task.name));
  }

  async execute(
    task: ScheduledTask,
    origin: RunOrigin,
    scheduledAt: Date | null,
  ): Promise<RunOutcome> {
    const { retry } = task.policies;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(task, origin, scheduledAt, attempt);
      const retryable = outcome.status === 'failed' || outcome.status === 'timedOut';
      if (!retryable || attempt >= retry.attempts || this.deps.stopping.aborted) return outcome;
      const delayMs = backoffDelay(retry, attempt, this.deps.random);
      const reason = describeError((outcome as { error: unknown }).error).message;
      this.deps.emit(() => ({
        ...base(task),
        type: 'retrying',
        attempt: attempt + 1,
        delayMs,
        error: reason,
      }));
      try {
        await abortableSleep(delayMs, this.deps.stopping);
      } catch {
        return outcome;
      }
    }
  }

  /** Records a fire time that did not run (skipped by overlap, or missed). */
  recordNotRun(
    task: ScheduledTask,
    status: 'skipped' | 'missed',
    scheduledAt: Date,
    why: string,
  ): void {
    const record = this.record(task, 'schedule', scheduledAt, null, status, 1, null, undefined);
    this.deps.logger.debug?.(
      `Task "${task.name}" ${status} its fire time ${scheduledAt.toISOString()}: ${why}`,
    );
    this.deps.emit(() => ({ ...base(task), type: status, record }));
  }

  private async attempt(
    task: ScheduledTask,
    origin: RunOrigin,
    scheduledAt: Date | null,
    attempt: number,
  ): Promise<RunOutcome> {
    const controller = new AbortController();
    const context: TaskContext = {
      taskId: task.id,
      taskName: task.name,
      signal: controller.signal,
      scheduledAt,
      attempt,
      runId: randomUUID(),
    };
    const startedAt = new Date();
    task.runCount++;
    this.deps.emit(() => ({
      ...base(task),
      type: 'started',
      runId: context.runId,
      scheduledAt,
      attempt,
    }));
    const entry: ActiveAttempt = { task, controller };
    this.active.add(entry);
    const timeout = task.policies.timeout;
    const timer =
      timeout === null
        ? null
        : setTimeout(() => controller.abort(new TaskTimeoutError(task.name, timeout)), timeout);
    let outcome: RunOutcome;
    try {
      const value = await untilAborted(this.invoke(task, context), controller.signal);
      outcome = { status: 'succeeded', value };
    } catch (error) {
      outcome = { status: classify(error, controller.signal), error };
    } finally {
      if (timer !== null) clearTimeout(timer);
      this.active.delete(entry);
    }
    const error = outcome.status === 'succeeded' ? null : outcome.error;
    const value = outcome.status === 'succeeded' ? outcome.value : undefined;
    const record = this.record(
      task,
      origin,
      scheduledAt,
      startedAt,
      outcome.status,
      attempt,
      error,
      value,
      context.runId,
    );
    this.report(task, record, error);
    return outcome;
  }

  private invoke(task: ScheduledTask, context: TaskContext): Promise<unknown> {
    const run = () => new Promise<unknown>((resolve) => resolve(task.handler(context)));
    return this.deps.wrapRun ? this.deps.wrapRun(context, run) : run();
  }

  private record(
    task: ScheduledTask,
    origin: RunOrigin,
    scheduledAt: Date | null,
    startedAt: Date | null,
    status: RunStatus,
    attempt: number,
    error: unknown,
    value: unknown,
    runId: string = randomUUID(),
  ): RunRecord {
    const record: RunRecord = {
      runId,
      taskId: task.id,
      taskName: task.name,
      origin,
      scheduledAt,
      startedAt,
      finishedAt: new Date(),
      status,
      attempt,
      error: error === null ? null : describeError(error),
      result: summariseResult(value),
    };
    task.counters[status]++;
    task.lastRun = record;
    try {
      const stored = this.deps.store.add(record);
      if (stored) stored.catch((storeError: unknown) => this.logStoreError(task, storeError));
    } catch (storeError) {
      this.logStoreError(task, storeError);
    }
    return record;
  }

  private report(task: ScheduledTask, record: RunRecord, error: unknown): void {
    const { status } = record;
    if (status === 'failed') {
      const { message, stack } = describeError(error);
      this.deps.logger.error(
        `Task "${task.name}" failed (attempt ${record.attempt}): ${message}`,
        stack ?? undefined,
      );
    } else if (status === 'timedOut' || status === 'cancelled') {
      this.deps.logger.warn(describeError(error).message);
    }
    this.deps.emit(() => ({ ...base(task), type: status, record }) as SchedulerEvent);
  }

  private logStoreError(task: ScheduledTask, error: unknown): void {
    const { message, stack } = describeError(error);
    this.deps.logger.error(
      `Could not store a run of task "${task.name}": ${message}`,
      stack ?? undefined,
    );
  }
}

function base(task: ScheduledTask) {
  return { taskId: task.id, taskName: task.name, at: new Date() };
}

/** Settles with the promise, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function classify(error: unknown, signal: AbortSignal): Exclude<RunStatus, 'succeeded'> {
  if (!signal.aborted || error !== signal.reason) return 'failed';
  return error instanceof TaskTimeoutError ? 'timedOut' : 'cancelled';
}
