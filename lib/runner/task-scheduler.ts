import { DEFAULT_SHUTDOWN_TIMEOUT } from '../utils/shutdown-timeout.js';
import type { Observable } from 'rxjs';
import { SchedulerShutdownError, TaskRemovedError } from '../errors.js';
import type { BaseTrigger } from '../triggers/base.trigger.js';
import { WaitList } from '../utils/wait-list.js';
import { ClusterLink, clusterAnswers } from './cluster-link.js';
import { clusterSettings } from './cluster-options.js';
import { FirePlanner } from './fire-planner.js';
import { ManualRuns, type RunNowOptions } from './manual-runs.js';
import type { RunRecord } from './run-record.js';
import { RunExecutor } from './run-executor.js';
import { InMemoryRunStore, type RunStore } from './run-store.js';
import type { ScheduledTask, TaskDefinition } from './scheduled-task.js';
import { emitEvent, SchedulerEventHub, type SchedulerEvent } from './scheduler-events.js';
import { guardLogger, type SchedulerLogger } from './scheduler-logger.js';
import type {
  RemoveTaskOptions,
  SchedulerShutdownOptions,
  TaskSchedulerOptions,
} from './scheduler-options.js';
import { readStatus, type SchedulerState, type SchedulerStatus } from './scheduler-status.js';
import { TaskCatalog } from './task-catalog.js';
import { TaskControls } from './task-controls.js';
import { upcomingOfTask } from './upcoming-fires.js';

export { DEFAULT_SHUTDOWN_TIMEOUT };

/**
 * Runs the tasks of one application: registration, its life (start, stop planning, drain), and
 * the control API (run now, pause, resume, setTrigger, history, idle), which it hands to its
 * parts. Fire times are planned by its FirePlanner, runs in flight belong to its RunExecutor,
 * loops start and change in its TaskControls, manual runs go through its ManualRuns, and in a
 * cluster the store is reached through its ClusterLink. Each task's trigger state is its own, so
 * many schedulers (apps, testing modules) may run the same triggers. Knows nothing of Nest.
 */
export class TaskScheduler {
  private readonly catalog: TaskCatalog;
  private readonly planner: FirePlanner;
  private readonly subject = new SchedulerEventHub();
  private readonly executor: RunExecutor;
  private readonly controls: TaskControls;
  private readonly manual: ManualRuns;
  private readonly idleWaiters = new WaitList();
  private readonly store: RunStore;
  private readonly logger: SchedulerLogger;
  private readonly shutdownTimeout: number;
  /** Cluster mode: leases, anchors, shared control and the store's reachability; else null. */
  private readonly link: ClusterLink | null;
  private state: SchedulerState = 'created';
  /** Whether scheduled tasks were started, so shutdown tasks are due. */
  private started = false;
  private stopped: Promise<void> | undefined;

  /** Every scheduling and run event; completes when shutdown begins. */
  readonly events$: Observable<SchedulerEvent> = this.subject.events$;
  /** Only events of chosen types; the others are not built for this listener. */
  readonly eventsOf = this.subject.eventsOf.bind(this.subject);

  constructor(options: TaskSchedulerOptions) {
    this.logger = guardLogger(options.logger);
    const cluster = clusterSettings(options.cluster);
    this.link = cluster
      ? new ClusterLink({
          settings: cluster,
          logger: this.logger,
          executor: () => this.executor,
          planner: () => this.planner,
          tasks: () => this.catalog.values(),
          running: () => this.state === 'running',
          pause: (task) => this.controls.pauseHere(task),
          resume: (task) => this.controls.resumeHere(task),
          setTrigger: (task, trigger) => this.controls.setTriggerHere(task, trigger),
          changed: () => this.notifyIfIdle(),
        })
      : null;
    this.store = this.link?.history ?? options.store ?? new InMemoryRunStore();
    this.shutdownTimeout = options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
    const random = options.random ?? Math.random;
    this.catalog = new TaskCatalog(
      options.defaults,
      options.triggerDefaults ?? {},
      cluster !== null,
    );
    this.executor = new RunExecutor({
      logger: this.logger,
      store: this.store,
      events: this.subject,
      wrapRun: options.wrapRun,
      random,
      runEnded: (task) => this.planner.runEnded(task),
    });
    this.planner = new FirePlanner({
      cluster,
      ...clusterAnswers(this.link),
      executor: this.executor,
      logger: this.logger,
      events: this.subject,
      misfireThreshold: options.misfireThreshold ?? 1_000,
      random,
      planning: () => this.state === 'running',
      changed: () => this.notifyIfIdle(),
    });
    this.controls = new TaskControls({
      catalog: this.catalog,
      planner: this.planner,
      link: this.link,
      events: this.subject,
      running: () => this.state === 'running',
      changed: () => this.notifyIfIdle(),
    });
    this.manual = new ManualRuns({
      cluster,
      planner: this.planner,
      executor: this.executor,
      state: () => this.state,
    });
  }

  /** Registers a task; validates its name, trigger and policies. Scheduled at once if running. */
  register(definition: TaskDefinition): ScheduledTask {
    const task = this.catalog.add(definition);
    this.link?.track(task);
    if (this.state === 'running') {
      this.controls.startLoop(task, Date.now());
      void this.link?.flushAnchors();
    }
    return task;
  }

  /**
   * Removes a task: nothing more is planned, held and queued manual runs are dropped, and a run in
   * progress finishes (or, with `abort`, has its signal aborted with TaskRemovedError). Its
   * history stays readable by name; the name may be registered again.
   */
  remove(task: ScheduledTask, options: RemoveTaskOptions = {}): void {
    task.paused = true;
    this.planner.unplan(task);
    this.planner.dropHeldRuns(task, 'the task was removed', new TaskRemovedError(task.name));
    this.catalog.remove(task);
    this.link?.forget(task);
    if (options.abort) this.executor.abortRuns(task, new TaskRemovedError(task.name));
    emitEvent(this.subject, task, { type: 'removed' });
    this.notifyIfIdle();
  }

  /** Whether a task has this id or name. */
  has(idOrName: string): boolean {
    return this.catalog.has(idOrName);
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
    await this.link?.connect();
    if (this.state !== 'created') return; // shut down while it connected
    for (const task of this.catalog.values()) {
      if (task.phase !== 'startup') continue;
      await this.runPhaseTask(task, 'startup');
      if (this.state !== 'created') return; // shut down while it ran: start nothing more
    }
    this.state = 'running';
    this.started = true;
    const now = Date.now();
    for (const task of this.catalog.values()) this.controls.startLoop(task, now);
    // One round trip for the anchors of every task that needs one; those tasks plan when it answers.
    await this.link?.flushAnchors(now);
    if (this.state !== 'running') return; // shut down while it asked
    await this.link?.start(now);
    this.notifyIfIdle();
  }

  /**
   * Stops planning: no fire starts from now on, held fires are recorded as skipped and queued
   * manual runs are refused. Runs in flight go on. The first step of `shutdown`.
   */
  stopPlanning(): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    this.planner.clear();
    this.link?.stop();
    for (const task of this.catalog.values()) {
      const refusal = new SchedulerShutdownError(task.name);
      this.planner.dropHeldRuns(task, 'the scheduler stopped', refusal);
    }
  }

  /** Completes `events$`, so that streams built on it (an SSE response) end; true if any had. */
  completeEvents(): boolean {
    const observed = this.subject.observed;
    this.subject.complete();
    return observed;
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
    await this.planner.claimsSettled(deadline);
    await this.link?.close();
    this.notifyIfIdle();
    this.subject.complete();
  }

  /**
   * Runs a task now, outside its schedule, without using up its trigger's loop budget. Resolves
   * with the method's value, rejects with its error (or the timeout).
   */
  runNow(task: ScheduledTask, options: RunNowOptions = {}): Promise<unknown> {
    return this.manual.run(task, options);
  }

  /**
   * Fires the task now, as if its planned time had come: for tasks whose clock is outside the
   * scheduler (the Node timers of `nestjs-aioclock/schedule`). Nothing happens while paused or
   * not running.
   */
  fireExternally(task: ScheduledTask): void {
    this.planner.fireExternally(task, Date.now());
  }

  /**
   * Stops planning fire times for the task; a run in progress goes on. Resolves once committed: at
   * once in one process, once the store has it in a cluster (no replica starts a tick after).
   */
  pause(task: ScheduledTask): Promise<void> {
    return this.controls.pause(task);
  }

  /** Plans the task's next fire time from now again; resolves once committed (see pause). */
  resume(task: ScheduledTask): Promise<void> {
    return this.controls.resume(task);
  }

  /**
   * Replaces the task's trigger, with a fresh state, from the next fire time on; resolves once
   * committed (see pause). In a cluster it travels as its description and the loop budget counted
   * in the store starts again. Bad triggers throw before anything is written.
   */
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): Promise<void> {
    return this.controls.setTrigger(task, trigger);
  }

  /** History of a task, newest first. */
  async history(idOrName: string, limit: number): Promise<RunRecord[]> {
    return this.store.list(this.catalog.idOf(idOrName), limit);
  }

  /** The next `count` nominal fire times (epoch ms) of a task at or after `fromMs`; see upcomingOfTask. */
  upcoming(task: ScheduledTask, fromMs: number, count: number): number[] {
    // Nothing is planned while the cluster's anchors are asked for: the times depend on them.
    if (this.link?.waitsForAnchors(task)) return [];
    return upcomingOfTask(task, this.state, fromMs, count);
  }

  /** The scheduler's state, and the cluster store's as this replica sees it. */
  status(): SchedulerStatus {
    const { state, catalog, link } = this;
    return readStatus({ state, catalog, runsInFlight: this.executor.runsInFlight, link });
  }

  /** True when nothing is planned or running: every finite trigger is exhausted (or all paused). */
  isIdle(): boolean {
    if (this.executor.runsInFlight > 0) return false;
    return this.state !== 'running' || this.planner.empty;
  }

  /** Resolves once the scheduler is idle (see isIdle): a standalone runner can exit then. */
  whenIdle(): Promise<void> {
    return this.isIdle() ? Promise.resolve() : this.idleWaiters.wait();
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
}
