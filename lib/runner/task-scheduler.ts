import { Subject, type Observable } from 'rxjs';
import { TaskDeclarationError, messages } from '../errors.js';
import type { BaseTrigger, TriggerDefaults } from '../triggers/base.trigger.js';
import type { RunAttempt, RunWaiter } from './run-attempt.js';
import { RunExecutor, type RunWrapper } from './run-executor.js';
import type { RunOrigin, RunRecord } from './run-record.js';
import { InMemoryRunStore, type RunStore } from './run-store.js';
import { ScheduledTask, type TaskDefinition } from './scheduled-task.js';
import { eventBase, type SchedulerEvent, type TaskEventBase } from './scheduler-events.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import type { TaskPolicies } from './task-policies.js';
import { TaskCatalog } from './task-catalog.js';
import { TimerQueue } from './timer-queue.js';
import { decideFire } from './fire-decision.js';
import { WaitList } from '../utils/wait-list.js';

/** How long shutdown waits for running runs before aborting them, unless told otherwise (ms). */
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;

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
 *
 * A wake-up works in two phases: every due task is started first, then the next fire times of
 * calendar and fixed-rate tasks are planned, so planning never delays a start.
 */
export class TaskScheduler {
  private readonly catalog: TaskCatalog;
  private readonly timers = new TimerQueue<ScheduledTask>(
    (task) => this.onDue(task),
    () => this.planBatch(),
  );
  private readonly toPlan: ScheduledTask[] = [];
  private readonly subject = new Subject<SchedulerEvent>();
  private readonly executor: RunExecutor;
  /** Manual runs with the 'queue' overlap policy, waiting for a task's current run to end. */
  private readonly taskWaiters = new Map<ScheduledTask, WaitList>();
  private readonly idleWaiters = new WaitList();
  private readonly drainWaiters = new WaitList();
  private runsInFlight = 0;
  private readonly store: RunStore;
  private readonly shutdownTimeout: number;
  private readonly misfireThreshold: number;
  private readonly random: () => number;
  private state: SchedulerState = 'created';
  private stopped: Promise<void> | undefined;

  /** Every scheduling and run event. */
  readonly events$: Observable<SchedulerEvent> = this.subject.asObservable();

  constructor(private readonly options: TaskSchedulerOptions) {
    this.store = options.store ?? new InMemoryRunStore();
    this.shutdownTimeout = options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
    this.misfireThreshold = options.misfireThreshold ?? 1_000;
    this.random = options.random ?? Math.random;
    this.catalog = new TaskCatalog(options.defaults, options.triggerDefaults ?? {});
    this.executor = new RunExecutor({
      logger: options.logger,
      store: this.store,
      events: this.subject,
      wrapRun: options.wrapRun,
      random: this.random,
      runDone: (task, last) => this.runDone(task, last),
    });
  }

  /** Registers a task; validates its name, trigger and policies. Scheduled at once if running. */
  register(definition: TaskDefinition): ScheduledTask {
    const task = this.catalog.add(definition);
    if (this.state === 'running' && task.phase === 'scheduled') this.scheduleNext(task, Date.now());
    return task;
  }

  /** Every task in registration order. */
  list(): readonly ScheduledTask[] {
    return this.catalog.list();
  }

  /** Finds a task by id or name, or throws TaskNotFoundError. */
  get(idOrName: string): ScheduledTask {
    return this.catalog.get(idOrName);
  }

  /** Runs startup tasks to completion, in order, then starts every scheduled task's loop. */
  async start(): Promise<void> {
    if (this.state !== 'created') return;
    for (const task of this.catalog.values()) {
      if (task.phase !== 'startup') continue;
      await this.runPhaseTask(task, 'startup');
      if (this.state !== 'created') return; // stopped while it ran: start nothing more
    }
    this.state = 'running';
    const now = Date.now();
    for (const task of this.catalog.values())
      if (task.phase === 'scheduled') this.scheduleNext(task, now);
    this.notifyIfIdle();
  }

  /**
   * Stops scheduling, waits for running runs up to `shutdownTimeout`, aborts what is left, then
   * runs the shutdown tasks. Leaves no timer behind.
   */
  stop(): Promise<void> {
    // A second call waits for the same drain instead of returning before it ends.
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    // Never started (enabled: false): there is nothing to drain and no shutdown task is due.
    const started = this.state === 'running';
    this.state = 'stopping';
    this.timers.clear();
    this.toPlan.length = 0;
    for (const task of this.catalog.values()) this.dropHeldFire(task, 'the scheduler stopped');
    this.executor.stopRetries();
    await this.drain();
    for (const task of this.catalog.values()) {
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
    this.assertAcceptingRuns(task);
    if (options.respectOverlap && task.activeRuns > 0) {
      if (task.policies.overlap === 'skip') {
        this.executor.recordNotRun(task, 'skipped', -1, 'it overlapped a running one', 'manual');
        throw new RunSkippedError(task.name);
      }
      // Waiters are woken together: each waits again until it finds the task idle, so the
      // queued runs start one after another.
      while (task.policies.overlap === 'queue' && task.activeRuns > 0) {
        await this.whenTaskIdle(task);
        this.assertAcceptingRuns(task);
      }
    }
    return new Promise((resolve, reject) => this.startRun(task, 'manual', -1, { resolve, reject }));
  }

  /** Stops planning fire times for the task; a run in progress goes on. */
  pause(task: ScheduledTask): void {
    if (task.paused) return;
    task.paused = true;
    this.timers.cancel(task);
    this.dropHeldFire(task, 'the task was paused');
    this.emit(task, (base) => ({ ...base, type: 'paused' }));
    this.notifyIfIdle();
  }

  /** Plans the task's next fire time from now again. */
  resume(task: ScheduledTask): void {
    if (!task.paused) return;
    task.paused = false;
    this.emit(task, (base) => ({ ...base, type: 'resumed' }));
    task.trigger.restartSchedule();
    if (!task.awaitingRunEnd) this.scheduleNext(task, Date.now());
  }

  /** Replaces the task's trigger; it takes effect from the next fire time. */
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): void {
    this.catalog.assertTrigger(task.name, trigger);
    if (task.phase !== 'scheduled' || trigger.phase !== 'scheduled') {
      throw new TaskDeclarationError(
        `Task "${task.name}": setTrigger works only between scheduled triggers, not startup or shutdown ones`,
      );
    }
    this.catalog.replaceTrigger(task, trigger);
    trigger.restartSchedule();
    this.timers.cancel(task);
    this.emit(task, (base) => ({ ...base, type: 'rescheduled', trigger: trigger.describe() }));
    if (!task.paused && !task.awaitingRunEnd) this.scheduleNext(task, Date.now());
  }

  /** History of a task, newest first. */
  async history(task: ScheduledTask, limit: number): Promise<RunRecord[]> {
    return this.store.list(task.id, limit);
  }

  /** True when nothing is planned or running: every finite trigger is exhausted (or all paused). */
  isIdle(): boolean {
    if (this.runsInFlight > 0) return false;
    if (this.state === 'stopped') return true;
    if (this.state !== 'running') return false;
    return this.timers.size === 0 && this.toPlan.length === 0;
  }

  /** Resolves once the scheduler is idle (see isIdle): a standalone runner can exit then. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return this.idleWaiters.wait();
  }

  private assertAcceptingRuns(task: ScheduledTask): void {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new Error(`Task "${task.name}" cannot run: the scheduler is shutting down`);
    }
  }

  /** Plans the next fire time from `fromMs` and queues the wake-up; marks the task done if none. */
  private scheduleNext(task: ScheduledTask, fromMs: number): void {
    if (this.state !== 'running' || task.paused) return;
    const wait = this.nextWait(task, fromMs);
    if (wait === null) {
      this.notifyIfIdle();
      return;
    }
    const plannedAt = fromMs + wait;
    const jitter = task.policies.jitter;
    const offset = jitter > 0 ? Math.floor(this.random() * jitter) : 0;
    task.setJitterOffset(offset);
    this.timers.schedule(task, plannedAt + offset);
    // Checked here rather than in emit(): this runs once per run, and the closure would not be free.
    if (this.subject.observed) {
      this.emit(task, (base) => ({ ...base, type: 'scheduled', nextRunAt: new Date(plannedAt) }));
    }
  }

  /**
   * Asks the trigger, which may be a user's own, for its next wait. If it throws, or answers with
   * something that is not a wait, the task stops being scheduled (null) and the error is logged with
   * its name: a broken trigger must not take the timer queue, and every other task, down.
   */
  private nextWait(task: ScheduledTask, fromMs: number): number | null {
    const trigger = task.trigger;
    try {
      if (!trigger.shouldTrigger()) return null;
      const wait = trigger.getWaitingTimeTillNextTrigger(new Date(fromMs));
      if (wait === null || (wait >= 0 && Number.isFinite(wait))) return wait;
      throw new Error(`getWaitingTimeTillNextTrigger returned ${wait}, not a wait in ms`);
    } catch (error) {
      this.triggerFailed(task, error);
      return null;
    }
  }

  private triggerFailed(task: ScheduledTask, error: unknown): void {
    const { message, stack } = error instanceof Error ? error : new Error(String(error));
    this.options.logger.error(
      `Task "${task.name}": its ${task.trigger.describe().type} trigger failed and the task is no longer scheduled: ${message}`,
      stack,
    );
  }

  /** Phase one of a wake-up: the planned time came; apply misfire and overlap, start the run. */
  private onDue(task: ScheduledTask): void {
    const trigger = task.trigger;
    const scheduledAt = task.firePlannedAt;
    try {
      trigger.recordFire(new Date(scheduledAt));
    } catch (error) {
      // The fire still runs; planning the next one asks the trigger again and stops if it is broken.
      this.triggerFailed(task, error);
    }
    const decision = decideFire(task.policies, this.misfireThreshold, {
      lateness: Date.now() - task.dueAt,
      activeRuns: task.activeRuns,
      hasQueuedFire: task.queuedFireAt !== null,
    });
    const run = decision.action === 'run';
    const held = decision.action === 'queue';
    if (held) task.queuedFireAt = scheduledAt;
    else if (!run) this.executor.recordNotRun(task, decision.action, scheduledAt, decision.why);
    // Run-end anchored: the next fire is planned when this fire's run ends, held or not.
    if ((run || held) && trigger.anchoredToRunEnd) {
      task.awaitingRunEnd = true;
    } else {
      this.toPlan.push(task);
    }
    if (run) this.startRun(task, 'schedule', scheduledAt, null);
  }

  /** Phase two of a wake-up: plan the next fire of every task that fired on a calendar or fixed rate. */
  private planBatch(): void {
    if (this.toPlan.length === 0) return;
    const now = Date.now();
    for (const task of this.toPlan) this.scheduleNext(task, now);
    this.toPlan.length = 0;
    this.notifyIfIdle();
  }

  private startRun(
    task: ScheduledTask,
    origin: RunOrigin,
    scheduledAtMs: number,
    waiter: RunWaiter | null,
  ): void {
    task.activeRuns++;
    this.runsInFlight++;
    this.executor.start(task, origin, scheduledAtMs, waiter);
  }

  /** A run ended (after its retries): plan the next fire, start a queued run, wake waiters. */
  private runDone(task: ScheduledTask, last: RunAttempt): void {
    task.activeRuns--;
    this.runsInFlight--;
    if (last.origin === 'schedule' && task.awaitingRunEnd) {
      task.awaitingRunEnd = false;
      this.scheduleNext(task, Date.now());
    }
    const queued = task.queuedFireAt;
    if (queued !== null && task.activeRuns === 0 && this.state === 'running') {
      task.queuedFireAt = null;
      this.startRun(task, 'schedule', queued, null);
    }
    if (task.activeRuns === 0) {
      this.taskWaiters.get(task)?.release();
      this.taskWaiters.delete(task);
    }
    if (this.runsInFlight === 0) this.drainWaiters.release();
    this.notifyIfIdle();
  }

  /** Records a fire held back by the 'queue' policy as skipped (on pause or stop), and forgets it. */
  private dropHeldFire(task: ScheduledTask, why: string): void {
    const held = task.queuedFireAt;
    if (held === null) return;
    task.queuedFireAt = null;
    // Only the held run would have planned the next fire of a run-end anchored trigger.
    if (task.trigger.anchoredToRunEnd) task.awaitingRunEnd = false;
    this.executor.recordNotRun(task, 'skipped', held, why);
  }

  private whenTaskIdle(task: ScheduledTask): Promise<void> {
    if (task.activeRuns === 0) return Promise.resolve();
    let waiters = this.taskWaiters.get(task);
    if (!waiters) this.taskWaiters.set(task, (waiters = new WaitList()));
    return waiters.wait();
  }

  /** Runs a startup or shutdown task; its failure is logged by the executor, never thrown. */
  private runPhaseTask(task: ScheduledTask, origin: 'startup' | 'shutdown'): Promise<void> {
    if (!task.trigger.shouldTrigger()) return Promise.resolve();
    const scheduledAt = Date.now();
    task.trigger.recordFire(new Date(scheduledAt));
    return new Promise((resolve) =>
      this.startRun(task, origin, scheduledAt, { resolve, reject: resolve }),
    );
  }

  /** Waits for running runs up to the shutdown timeout, then aborts the rest. */
  private async drain(): Promise<void> {
    if (this.runsInFlight === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.shutdownTimeout);
    });
    const drained = this.drainWaiters.wait().then(() => 'drained' as const);
    const result = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.options.logger.warn(messages.shutdownTimeout(this.executor.activeTaskNames()));
      this.executor.abortAll();
      if (this.runsInFlight > 0) await this.drainWaiters.wait();
    }
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.size > 0 && this.isIdle()) this.idleWaiters.release();
  }

  /** Builds and emits an event only while someone listens. */
  private emit(task: ScheduledTask, build: (base: TaskEventBase) => SchedulerEvent): void {
    if (this.subject.observed) this.subject.next(build(eventBase(task)));
  }
}
