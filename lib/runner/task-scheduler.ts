import { Subject, type Observable } from 'rxjs';
import { messages, RunSkippedError, SchedulerShutdownError } from '../errors.js';
import type { BaseTrigger } from '../triggers/base.trigger.js';
import type { TriggerDefaults } from '../triggers/trigger-state.js';
import { WaitList } from '../utils/wait-list.js';
import { describeError, type RunRecord } from './run-record.js';
import { HeldRuns } from './held-runs.js';
import { RunExecutor, type RunWrapper } from './run-executor.js';
import { InMemoryRunStore, type RunStore } from './run-store.js';
import type { ScheduledTask, TaskDefinition } from './scheduled-task.js';
import { emitEvent, type EventBody, type SchedulerEvent } from './scheduler-events.js';
import { guardLogger, type SchedulerLogger } from './scheduler-logger.js';
import type { TaskPolicies } from './task-policies.js';
import { TaskCatalog } from './task-catalog.js';
import { TimerQueue } from './timer-queue.js';
import { decideFire } from './fire-decision.js';

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

/** Options of `shutdown`. */
export interface SchedulerShutdownOptions {
  /** When (epoch ms) to stop waiting for runs and abort them; default now + shutdownTimeout. */
  deadline?: number;
}

type SchedulerState = 'created' | 'running' | 'stopping' | 'stopped';

/**
 * Plans fire times and owns the control API: one logical loop per task (plan the next fire time,
 * wait, hand the run to the RunExecutor, repeat) on a shared timer queue, with pause, resume,
 * trigger changes, overlap and misfire policies. Each task's trigger state is its own, so many
 * schedulers (apps, testing modules) may run the same triggers. Knows nothing of Nest.
 *
 * A wake-up works in two phases: every due task is started first, then the next fire times of
 * calendar and fixed-rate tasks are planned, so planning never delays a start.
 */
export class TaskScheduler {
  private readonly catalog: TaskCatalog;
  private readonly timers = new TimerQueue<ScheduledTask>({
    onDue: (task) => this.onDue(task),
    onBatchEnd: () => this.planBatch(),
    onClockSetBack: (ms) => this.onClockSetBack(ms),
  });
  private readonly toPlan: ScheduledTask[] = [];
  private readonly held = new HeldRuns();
  private readonly subject = new Subject<SchedulerEvent>();
  private readonly executor: RunExecutor;
  private readonly idleWaiters = new WaitList();
  private readonly store: RunStore;
  private readonly logger: SchedulerLogger;
  private readonly shutdownTimeout: number;
  private readonly misfireThreshold: number;
  private readonly random: () => number;
  private state: SchedulerState = 'created';
  /** Whether scheduled tasks were started, so shutdown tasks are due. */
  private started = false;
  private stopped: Promise<void> | undefined;

  /** Every scheduling and run event; completes when shutdown begins. */
  readonly events$: Observable<SchedulerEvent> = this.subject.asObservable();

  constructor(options: TaskSchedulerOptions) {
    this.logger = guardLogger(options.logger);
    this.store = options.store ?? new InMemoryRunStore();
    this.shutdownTimeout = options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
    this.misfireThreshold = options.misfireThreshold ?? 1_000;
    this.random = options.random ?? Math.random;
    this.catalog = new TaskCatalog(options.defaults, options.triggerDefaults ?? {});
    this.executor = new RunExecutor({
      logger: this.logger,
      store: this.store,
      events: this.subject,
      wrapRun: options.wrapRun,
      random: this.random,
      runEnded: (task) => this.runEnded(task),
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
      if (this.state !== 'created') return; // shut down while it ran: start nothing more
    }
    this.state = 'running';
    this.started = true;
    const now = Date.now();
    for (const task of this.catalog.values()) {
      if (task.phase === 'scheduled') this.scheduleNext(task, now);
    }
    this.notifyIfIdle();
  }

  /**
   * Stops planning: no fire starts from now on, held fires are recorded as skipped and queued
   * manual runs are refused. Runs in flight go on. The first step of `shutdown`.
   */
  stopPlanning(): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    this.timers.clear();
    this.toPlan.length = 0;
    for (const task of this.catalog.values()) {
      this.dropHeldRuns(task, 'the scheduler stopped', true);
    }
  }

  /** Completes `events$`, so that streams built on it (an SSE response) end. */
  completeEvents(): void {
    this.subject.complete();
  }

  /**
   * Stops planning, waits for running runs until the deadline, aborts what is left, then runs the
   * shutdown tasks and completes `events$`. Leaves no timer behind. Later calls share the first.
   */
  shutdown(options: SchedulerShutdownOptions = {}): Promise<void> {
    this.stopped ??= this.shutDown(options.deadline ?? Date.now() + this.shutdownTimeout);
    return this.stopped;
  }

  private async shutDown(deadline: number): Promise<void> {
    this.stopPlanning();
    await this.executor.drain(deadline);
    for (const task of this.catalog.values()) {
      if (this.started && task.phase === 'shutdown') await this.runPhaseTask(task, 'shutdown');
    }
    this.state = 'stopped';
    this.notifyIfIdle();
    this.subject.complete();
  }

  /**
   * Runs a task now, outside its schedule, without using up its trigger's loop budget. Resolves
   * with the method's value, rejects with its error (or the timeout).
   */
  runNow(task: ScheduledTask, options: RunNowOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.state === 'stopping' || this.state === 'stopped') {
        throw new SchedulerShutdownError(task.name);
      }
      const waiter = { resolve, reject };
      const { overlap } = task.policies;
      if (options.respectOverlap && task.activeRuns > 0 && overlap !== 'allow') {
        if (overlap === 'queue')
          return this.held.hold(task, { origin: 'manual', scheduledAtMs: null, waiter });
        this.executor.recordNotRun(task, 'skipped', null, 'it overlapped a running one', 'manual');
        throw new RunSkippedError(task.name);
      }
      this.executor.start(task, 'manual', null, waiter);
    });
  }

  /** Stops planning fire times for the task; a run in progress goes on. */
  pause(task: ScheduledTask): void {
    if (task.paused) return;
    task.paused = true;
    this.timers.cancel(task);
    this.dropHeldRuns(task, 'the task was paused', false);
    this.emit(task, { type: 'paused' });
    this.notifyIfIdle();
  }

  /** Plans the task's next fire time from now again. */
  resume(task: ScheduledTask): void {
    if (!task.paused) return;
    task.paused = false;
    this.emit(task, { type: 'resumed' });
    const restarted = this.guardTrigger(task, () => {
      task.trigger.restart(task.triggerState);
      return true;
    });
    if (!restarted) return;
    if (!task.awaitingRunEnd) this.scheduleNext(task, Date.now());
  }

  /** Replaces the task's trigger, with a fresh state; it takes effect from the next fire time. */
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): void {
    this.catalog.replaceTrigger(task, trigger);
    this.timers.cancel(task);
    this.emit(task, { type: 'rescheduled', trigger: task.describeTrigger() });
    if (!task.paused && !task.awaitingRunEnd) this.scheduleNext(task, Date.now());
  }

  /** History of a task, newest first. */
  async history(task: ScheduledTask, limit: number): Promise<RunRecord[]> {
    return this.store.list(task.id, limit);
  }

  /** True when nothing is planned or running: every finite trigger is exhausted (or all paused). */
  isIdle(): boolean {
    if (this.executor.runsInFlight > 0) return false;
    return this.state !== 'running' || (this.timers.size === 0 && this.toPlan.length === 0);
  }

  /** Resolves once the scheduler is idle (see isIdle): a standalone runner can exit then. */
  whenIdle(): Promise<void> {
    return this.isIdle() ? Promise.resolve() : this.idleWaiters.wait();
  }

  /** Plans the next fire time from `fromMs` and queues the wake-up. */
  private scheduleNext(task: ScheduledTask, fromMs: number): void {
    if (this.state !== 'running' || task.paused) return;
    const wait = this.nextWait(task, fromMs);
    if (wait === null) return;
    const plannedAt = fromMs + wait;
    const { jitter } = task.policies;
    task.jitterMs = jitter > 0 ? Math.floor(this.random() * jitter) : 0;
    this.timers.schedule(task, plannedAt + task.jitterMs);
    // Checked here rather than in emit(): this runs once per run, and the Date would not be free.
    if (this.subject.observed)
      this.emit(task, { type: 'scheduled', nextRunAt: new Date(plannedAt) });
  }

  /**
   * Asks the trigger, which may be a user's own, for its next wait. If it throws, or answers with
   * something that is not a wait, the task stops being scheduled (null) and the error is logged with
   * its name: a broken trigger must not take the timer queue, and every other task, down.
   */
  private nextWait(task: ScheduledTask, fromMs: number): number | null {
    const { trigger, triggerState } = task;
    const wait = this.guardTrigger(task, () => {
      if (!trigger.canFire(triggerState)) return null;
      const answer = trigger.nextWait(triggerState, fromMs);
      if (
        answer === null ||
        (typeof answer === 'number' && answer >= 0 && answer <= 8.64e15 - fromMs)
      ) {
        return answer;
      }
      throw new Error(`nextWait returned ${String(answer)}, not a wait in ms`);
    });
    return wait ?? null;
  }

  /** Runs a call into the task's trigger; if it throws, logs it and stops scheduling the task (undefined). */
  private guardTrigger<T>(task: ScheduledTask, call: () => T): T | undefined {
    try {
      return call();
    } catch (error) {
      const type = task.describeTrigger().type;
      this.logger.error(messages.triggerFailed(task.name, type, describeError(error).message));
      this.timers.cancel(task);
      return undefined;
    }
  }

  /** Phase one of a wake-up: the planned time came; apply misfire and overlap, start the run. */
  private onDue(task: ScheduledTask): void {
    const scheduledAt = task.dueAt - task.jitterMs;
    const { trigger } = task;
    // If counting the fire fails the fire still runs; planning the next one stops the task.
    this.guardTrigger(task, () => trigger.advance(task.triggerState, scheduledAt));
    const decision = decideFire(task.policies, this.misfireThreshold, {
      lateness: Date.now() - task.dueAt,
      activeRuns: task.activeRuns,
      hasQueuedFire: this.held.hasFire(task),
    });
    if (decision.action === 'run') this.executor.start(task, 'schedule', scheduledAt, null);
    else if (decision.action === 'queue')
      this.held.hold(task, { origin: 'schedule', scheduledAtMs: scheduledAt, waiter: null });
    else this.executor.recordNotRun(task, decision.action, scheduledAt, decision.why);
    // A fixed-delay trigger plans its next fire once no run of it goes (a skipped fire of a
    // Forever task must not come round again at once); the others plan in phase two.
    if (trigger.anchoredToRunEnd && task.activeRuns > 0) task.awaitingRunEnd = true;
    else this.toPlan.push(task);
  }

  /** Phase two of a wake-up: plan the next fire of every task that fired on a calendar or fixed rate. */
  private planBatch(): void {
    if (this.toPlan.length === 0) return;
    const now = Date.now();
    for (const task of this.toPlan) this.scheduleNext(task, now);
    this.toPlan.length = 0;
    this.notifyIfIdle();
  }

  /**
   * The system clock was set back by `ms`: interval tasks keep their real-time rate (their wake-ups
   * move back with the clock); wall-clock tasks are planned again from the new now, so they fire
   * when the wall clock reaches their next time (an OrTrigger with an interval child too).
   */
  private onClockSetBack(ms: number): void {
    const now = Date.now();
    for (const task of this.timers.items()) {
      if (!task.trigger.followsWallClock) {
        this.timers.schedule(task, task.dueAt - ms);
        continue;
      }
      this.timers.cancel(task);
      const restarted = this.guardTrigger(task, () => {
        task.trigger.restart(task.triggerState);
        return true;
      });
      if (restarted) this.scheduleNext(task, now);
    }
  }

  /** A run ended: start a held run, plan a fixed-delay task's next fire, wake waiters. */
  private runEnded(task: ScheduledTask): void {
    if (task.activeRuns === 0) this.startHeldRun(task);
    if (task.awaitingRunEnd && task.activeRuns === 0) {
      task.awaitingRunEnd = false;
      this.scheduleNext(task, Date.now());
    }
    this.notifyIfIdle();
  }

  private startHeldRun(task: ScheduledTask): void {
    const run = this.held.next(task);
    if (run) this.executor.start(task, run.origin, run.scheduledAtMs, run.waiter);
  }

  /** Drops a held fire (recorded as skipped) and, when stopping, refuses held manual runs. */
  private dropHeldRuns(task: ScheduledTask, why: string, refuseManual: boolean): void {
    const dropped = this.held.remove(task, (run) => run.origin === 'schedule' || refuseManual);
    for (const run of dropped) {
      if (run.origin === 'schedule') {
        this.executor.recordNotRun(task, 'skipped', run.scheduledAtMs, why);
      } else {
        run.waiter?.reject(new SchedulerShutdownError(task.name));
      }
    }
  }

  /** Runs a startup or shutdown task; its failure is logged by the executor, never thrown. */
  private runPhaseTask(task: ScheduledTask, origin: 'startup' | 'shutdown'): Promise<void> {
    const { trigger, triggerState } = task;
    if (!trigger.canFire(triggerState)) return Promise.resolve();
    const scheduledAt = Date.now();
    trigger.advance(triggerState, scheduledAt);
    return new Promise((resolve) =>
      this.executor.start(task, origin, scheduledAt, { resolve, reject: resolve }),
    );
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.size > 0 && this.isIdle()) this.idleWaiters.release();
  }

  private emit(task: ScheduledTask, body: EventBody): void {
    emitEvent(this.subject, task, body);
  }
}
