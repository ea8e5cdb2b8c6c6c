import { Subject, type Observable } from 'rxjs';
import { TaskDeclarationError, TaskNotFoundError, messages } from '../errors.js';
import type { BaseTrigger, TriggerDefaults } from '../triggers/base.trigger.js';
import { RunExecutor, type RunOutcome, type RunWrapper } from './run-executor.js';
import type { RunOrigin } from './run-record.js';
import { InMemoryRunStore, type RunStore } from './run-store.js';
import { ScheduledTask, type TaskDefinition } from './scheduled-task.js';
import type { SchedulerEvent } from './scheduler-events.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import { resolvePolicies, type TaskPolicies } from './task-policies.js';
import { TimerQueue } from './timer-queue.js';

/** Settings of a TaskScheduler; the Nest module fills them from its options. */
export interface TaskSchedulerOptions {
  logger: SchedulerLogger;
  /** How long shutdown waits for running runs before aborting them (ms). */
  shutdownTimeout?: number;
  /** A run that starts later than this after its planned time (ms) is a misfire. */
  misfireThreshold?: number;
  /** Policy defaults for every task. */
  defaults?: TaskPolicies;
  triggerDefaults?: TriggerDefaults;
  store?: RunStore;
  wrapRun?: RunWrapper;
  random?: () => number;
}

/** Options of a manual run. */
export interface RunNowOptions {
  /** Apply the task's overlap policy instead of always running (default false). */
  respectOverlap?: boolean;
}

/** Thrown by a manual run that the overlap policy skipped. */
export class RunSkippedError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}" is already running and its overlap policy is 'skip'`);
    this.name = 'RunSkippedError';
  }
}

type SchedulerState = 'created' | 'running' | 'stopping' | 'stopped';

/**
 * Owns the tasks and drives them: one logical loop per task (plan the next fire time, wait, run,
 * repeat) on a shared timer queue, with overlap, misfire and retry policies, and an orderly
 * shutdown. Knows nothing of Nest.
 */
export class TaskScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly byId = new Map<string, ScheduledTask>();
  private readonly byName = new Map<string, ScheduledTask>();
  private readonly triggerOwners = new Map<BaseTrigger, ScheduledTask>();
  private readonly timers = new TimerQueue();
  private readonly subject = new Subject<SchedulerEvent>();
  private readonly stoppingController = new AbortController();
  private readonly executor: RunExecutor;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly store: RunStore;
  private readonly shutdownTimeout: number;
  private readonly misfireThreshold: number;
  private readonly random: () => number;
  private state: SchedulerState = 'created';

  /** Every scheduling and run event. */
  readonly events$: Observable<SchedulerEvent> = this.subject.asObservable();

  constructor(private readonly options: TaskSchedulerOptions) {
    this.store = options.store ?? new InMemoryRunStore();
    this.shutdownTimeout = options.shutdownTimeout ?? 10_000;
    this.misfireThreshold = options.misfireThreshold ?? 1_000;
    this.random = options.random ?? Math.random;
    this.executor = new RunExecutor({
      logger: options.logger,
      store: this.store,
      emit: (build) => this.emit(build),
      wrapRun: options.wrapRun,
      stopping: this.stoppingController.signal,
      random: this.random,
    });
  }

  /** Registers a task; validates its name, trigger and policies. Scheduled at once if running. */
  register(definition: TaskDefinition): ScheduledTask {
    const source = definition.source ?? definition.name;
    const existing = this.byName.get(definition.name);
    if (existing)
      throw new TaskDeclarationError(
        messages.duplicateTaskName(definition.name, existing.source, source),
      );
    const owner = this.triggerOwners.get(definition.trigger);
    if (owner) throw new TaskDeclarationError(messages.sharedTrigger(owner.source, source));
    const policies = resolvePolicies(
      `Task "${definition.name}"`,
      this.options.defaults,
      definition.policies,
    );
    this.applyTriggerDefaults(definition.name, definition.trigger);
    const task = new ScheduledTask(definition, policies);
    task.onDue = () => this.onDue(task);
    this.tasks.push(task);
    this.byId.set(task.id, task);
    this.byName.set(task.name, task);
    this.triggerOwners.set(task.trigger, task);
    if (this.state === 'running' && task.phase === 'scheduled') this.scheduleNext(task, Date.now());
    return task;
  }

  /** Every task in registration order. */
  list(): readonly ScheduledTask[] {
    return this.tasks;
  }

  /** Finds a task by id or name, or throws TaskNotFoundError. */
  get(idOrName: string): ScheduledTask {
    const task = this.byId.get(idOrName) ?? this.byName.get(idOrName);
    if (!task) throw new TaskNotFoundError(String(idOrName));
    return task;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Runs startup tasks to completion, in order, then starts every scheduled task's loop. */
  async start(): Promise<void> {
    if (this.state !== 'created') return;
    for (const task of this.tasks) {
      if (task.phase === 'startup') await this.runPhaseTask(task, 'startup');
    }
    if (this.state !== 'created') return; // stopped while startup tasks ran
    this.state = 'running';
    const now = Date.now();
    for (const task of this.tasks) if (task.phase === 'scheduled') this.scheduleNext(task, now);
    this.notifyIfIdle();
  }

  /**
   * Stops scheduling, waits for running runs up to `shutdownTimeout`, aborts what is left, then
   * runs the shutdown tasks. Leaves no timer behind.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    // Never started (enabled: false): there is nothing to drain and no shutdown task is due.
    const started = this.state === 'running';
    this.state = 'stopping';
    this.stoppingController.abort();
    this.timers.clear();
    for (const task of this.tasks) {
      task.timer = null;
      task.plannedAt = null;
      task.queuedFireAt = null;
      task.trigger.expectedTriggerTime = null;
    }
    await this.drain();
    for (const task of this.tasks) {
      if (started && task.phase === 'shutdown') await this.runPhaseTask(task, 'shutdown');
    }
    this.state = 'stopped';
    this.notifyIfIdle();
    this.subject.complete();
  }

  /**
   * Runs a task now, outside its schedule, without using up its trigger's loop budget. Resolves
   * with the method's value, rejects with its error (or the timeout).
   */
  async runNow(task: ScheduledTask, options: RunNowOptions = {}): Promise<unknown> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new Error(`Task "${task.name}" cannot run: the scheduler is shutting down`);
    }
    if (options.respectOverlap && task.activeRuns > 0) {
      if (task.policies.overlap === 'skip') {
        this.executor.recordNotRun(
          task,
          'skipped',
          new Date(),
          'a manual run overlapped a running one',
        );
        throw new RunSkippedError(task.name);
      }
      if (task.policies.overlap === 'queue') await this.whenTaskIdle(task);
    }
    const outcome = await this.track(task, 'manual', null);
    if (outcome.status === 'succeeded') return outcome.value;
    throw outcome.error;
  }

  /** Stops planning fire times for the task; a run in progress goes on. */
  pause(task: ScheduledTask): void {
    if (task.paused) return;
    task.paused = true;
    this.unschedule(task);
    this.emit(() => ({ ...eventBase(task), type: 'paused' }));
    this.notifyIfIdle();
  }

  /** Plans the task's next fire time from now again. */
  resume(task: ScheduledTask): void {
    if (!task.paused) return;
    task.paused = false;
    this.emit(() => ({ ...eventBase(task), type: 'resumed' }));
    if (!task.awaitingRunEnd) this.scheduleNext(task, Date.now());
  }

  /** Replaces the task's trigger; it takes effect from the next fire time. */
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): void {
    assertTrigger(task.name, trigger);
    if (task.phase !== 'scheduled' || trigger.phase !== 'scheduled') {
      throw new TaskDeclarationError(
        `Task "${task.name}": setTrigger works only between scheduled triggers, not startup or shutdown ones`,
      );
    }
    const owner = this.triggerOwners.get(trigger);
    if (owner && owner !== task)
      throw new TaskDeclarationError(messages.sharedTrigger(owner.source, task.source));
    this.applyTriggerDefaults(task.name, trigger);
    this.unschedule(task);
    this.triggerOwners.delete(task.trigger);
    this.triggerOwners.set(trigger, task);
    task.trigger = trigger;
    this.emit(() => ({ ...eventBase(task), type: 'rescheduled', trigger: trigger.describe() }));
    if (!task.paused && !task.awaitingRunEnd) this.scheduleNext(task, Date.now());
  }

  /** History of a task, newest first. */
  async history(
    task: ScheduledTask,
    limit: number,
  ): Promise<import('./run-record.js').RunRecord[]> {
    return this.store.list(task.id, limit);
  }

  /** True when nothing is planned or running: every finite trigger is exhausted (or all paused). */
  isIdle(): boolean {
    if (this.inFlight.size > 0) return false;
    if (this.state === 'stopped') return true;
    if (this.state !== 'running') return false;
    return this.tasks.every(
      (task) => task.timer === null && !task.awaitingRunEnd && task.queuedFireAt === null,
    );
  }

  /** Resolves once the scheduler is idle (see isIdle): a standalone runner can exit then. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private applyTriggerDefaults(taskName: string, trigger: BaseTrigger): void {
    assertTrigger(taskName, trigger);
    try {
      trigger.applyDefaults(this.options.triggerDefaults ?? {});
    } catch (error) {
      throw new TaskDeclarationError(`Task "${taskName}": ${(error as Error).message}`);
    }
  }

  /** Plans the next fire time from `fromMs` and sets the wake-up; marks the task done if none. */
  private scheduleNext(task: ScheduledTask, fromMs: number): void {
    if (this.state !== 'running' || task.paused) return;
    const trigger = task.trigger;
    const wait = trigger.shouldTrigger()
      ? trigger.getWaitingTimeTillNextTrigger(new Date(fromMs))
      : null;
    if (wait === null) {
      task.plannedAt = null;
      trigger.expectedTriggerTime = null;
      this.notifyIfIdle();
      return;
    }
    const plannedAt = fromMs + wait;
    const jitter = task.policies.jitter;
    task.plannedAt = plannedAt;
    trigger.expectedTriggerTime = new Date(plannedAt);
    task.timer = this.timers.schedule(
      jitter > 0 ? plannedAt + Math.floor(this.random() * jitter) : plannedAt,
      task.onDue,
    );
    this.emit(() => ({ ...eventBase(task), type: 'scheduled', nextRunAt: new Date(plannedAt) }));
  }

  private unschedule(task: ScheduledTask): void {
    this.timers.cancel(task.timer);
    task.timer = null;
    task.plannedAt = null;
    task.trigger.expectedTriggerTime = null;
  }

  /** The planned time came: apply misfire and overlap policies, start the run, plan the next. */
  private onDue(task: ScheduledTask): void {
    const dueAt = task.timer!.dueAt;
    const scheduledAt = new Date(task.plannedAt!);
    task.timer = null;
    task.plannedAt = null;
    const now = Date.now();
    task.trigger.recordFire(scheduledAt);
    const lateness = now - dueAt;
    const { catchUpWindow, misfire, overlap } = task.policies;
    let run = true;
    if (catchUpWindow !== null && lateness > catchUpWindow) {
      this.executor.recordNotRun(
        task,
        'missed',
        scheduledAt,
        `${lateness} ms late, beyond the catch-up window`,
      );
      run = false;
    } else if (lateness > this.misfireThreshold && misfire === 'skip') {
      this.executor.recordNotRun(
        task,
        'missed',
        scheduledAt,
        `${lateness} ms late and the misfire policy is 'skip'`,
      );
      run = false;
    } else if (task.activeRuns > 0 && overlap !== 'allow') {
      if (overlap === 'queue' && task.queuedFireAt === null) {
        task.queuedFireAt = scheduledAt;
      } else {
        this.executor.recordNotRun(task, 'skipped', scheduledAt, 'the previous run is still going');
      }
      run = false;
    }
    if (run && task.trigger.anchoredToRunEnd) {
      task.awaitingRunEnd = true;
      void this.track(task, 'schedule', scheduledAt).then(() => {
        task.awaitingRunEnd = false;
        this.scheduleNext(task, Date.now());
      });
      return;
    }
    if (run) void this.track(task, 'schedule', scheduledAt);
    this.scheduleNext(task, now);
  }

  /** Runs the task and keeps the bookkeeping: active runs, queued fires, drain and idle. */
  private track(
    task: ScheduledTask,
    origin: RunOrigin,
    scheduledAt: Date | null,
  ): Promise<RunOutcome> {
    task.activeRuns++;
    const promise = this.executor.execute(task, origin, scheduledAt).finally(() => {
      task.activeRuns--;
      this.inFlight.delete(promise);
      const queued = task.queuedFireAt;
      if (queued !== null && task.activeRuns === 0 && this.state === 'running') {
        task.queuedFireAt = null;
        void this.track(task, 'schedule', queued);
      }
      if (task.activeRuns === 0) this.wakeTaskWaiters(task);
      this.notifyIfIdle();
    });
    this.inFlight.add(promise);
    return promise;
  }

  private readonly taskWaiters = new Map<ScheduledTask, (() => void)[]>();

  private whenTaskIdle(task: ScheduledTask): Promise<void> {
    if (task.activeRuns === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.taskWaiters.get(task) ?? [];
      waiters.push(resolve);
      this.taskWaiters.set(task, waiters);
    });
  }

  private wakeTaskWaiters(task: ScheduledTask): void {
    const waiters = this.taskWaiters.get(task);
    if (!waiters) return;
    this.taskWaiters.delete(task);
    for (const wake of waiters) wake();
  }

  /** Runs a startup or shutdown task; its failure is logged by the executor, never thrown. */
  private async runPhaseTask(task: ScheduledTask, origin: 'startup' | 'shutdown'): Promise<void> {
    if (!task.trigger.shouldTrigger()) return;
    const scheduledAt = new Date();
    task.trigger.recordFire(scheduledAt);
    await this.track(task, origin, scheduledAt);
  }

  /** Waits for running runs up to the shutdown timeout, then aborts the rest. */
  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.shutdownTimeout);
    });
    const settled = Promise.allSettled([...this.inFlight]).then(() => 'drained' as const);
    const result = await Promise.race([settled, deadline]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.options.logger.warn(messages.shutdownTimeout(this.executor.activeTaskNames()));
      this.executor.abortAll();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private emit(build: () => SchedulerEvent): void {
    if (this.subject.observed) this.subject.next(build());
  }
}

function assertTrigger(taskName: string, trigger: BaseTrigger): void {
  if (typeof trigger?.getWaitingTimeTillNextTrigger !== 'function') {
    throw new TaskDeclarationError(
      `Task "${taskName}": the trigger is not a BaseTrigger (got ${String(trigger)})`,
    );
  }
}

function eventBase(task: ScheduledTask) {
  return { taskId: task.id, taskName: task.name, at: new Date() };
}
