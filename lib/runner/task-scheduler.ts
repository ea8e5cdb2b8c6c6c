import { DEFAULT_SHUTDOWN_TIMEOUT } from '../utils/shutdown-timeout.js';
import { Subject, type Observable } from 'rxjs';
import {
  DuplicateRunRequestError,
  RunSkippedError,
  SchedulerShutdownError,
  TaskRemovedError,
} from '../errors.js';
import type { BaseTrigger } from '../triggers/base.trigger.js';
import { holdsAnchor, type TriggerDefaults, type TriggerState } from '../triggers/trigger-state.js';
import { WaitList } from '../utils/wait-list.js';
import { AnchorKeeper } from './anchor-keeper.js';
import { FirePlanner, type ClusterStatus } from './fire-planner.js';
import { clusterSettings, type ClusterOptions } from './cluster-options.js';
import type { Coordinator } from './coordinator.js';
import { ControlSync } from './control-sync.js';
import { InMemoryCoordinator } from './in-memory-coordinator.js';
import { CoordinatorRunStore } from './coordinator-run-store.js';
import { LeaseKeeper } from './lease-keeper.js';
import { describeError, type RunRecord } from './run-record.js';
import { RunExecutor, type RunWrapper } from './run-executor.js';
import { InMemoryRunStore, type RunStore } from './run-store.js';
import type { ScheduledTask, TaskDefinition } from './scheduled-task.js';
import { emitEvent, type EventBody, type SchedulerEvent } from './scheduler-events.js';
import { guardLogger, type SchedulerLogger } from './scheduler-logger.js';
import type { TaskPolicies } from './task-policies.js';
import type { ClusterSettings } from './tick-claimer.js';
import { TaskCatalog } from './task-catalog.js';
import { StoreContact } from './store-contact.js';
import { listOverdue, type OverdueTask } from './task-health.js';
import { upcomingOfTask } from './upcoming-fires.js';

export { DEFAULT_SHUTDOWN_TIMEOUT };

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
  /** Cluster mode: replicas sharing a coordinator claim each tick of a deterministic schedule once. */
  cluster?: ClusterOptions;
}

/** Options of a manual run. */
export interface RunNowOptions {
  /** Apply the task's overlap policy instead of always running (default false). */
  respectOverlap?: boolean;
  /**
   * Runs the task once per request id: cluster-wide in a cluster (the store records it, first
   * writer wins), within the process otherwise; a repeat within REQUEST_ID_TTL_MS rejects with
   * DuplicateRunRequestError.
   */
  requestId?: string;
}

/** How long a manual run's request id is remembered (ms): a day, longer than any client's retries. */
export const REQUEST_ID_TTL_MS = 86_400_000;

/** Options of `remove`. */
export interface RemoveTaskOptions {
  /** Abort a run in progress (its signal, reason TaskRemovedError) instead of letting it finish. */
  abort?: boolean;
}

/** Options of `shutdown`. */
export interface SchedulerShutdownOptions {
  /** When (epoch ms) to stop waiting for runs and abort them; default now + shutdownTimeout. */
  deadline?: number;
}

/** Where a scheduler is in its life. */
export type SchedulerState = 'created' | 'running' | 'stopping' | 'stopped';

/** What `registry.status()` returns. */
export interface SchedulerStatus {
  state: SchedulerState;
  tasks: number;
  runsInFlight: number;
  /** Null without a cluster. */
  cluster: ClusterStatus | null;
  /**
   * Critical tasks that have not succeeded in time, while the scheduler runs. In a cluster each
   * replica judges the runs it makes: a tick another replica won, or a task whose lease another
   * replica holds, is not judged here.
   */
  overdue: OverdueTask[];
}

/**
 * Runs the tasks of one application: registration, its life (start, stop planning, drain), and
 * the control API (run now, pause, resume, setTrigger, history, idle). Fire times are planned by
 * its FirePlanner and runs in flight belong to its RunExecutor. Each task's trigger state is its
 * own, so many schedulers (apps, testing modules) may run the same triggers. Knows nothing of Nest.
 */
export class TaskScheduler {
  private readonly catalog: TaskCatalog;
  private readonly planner: FirePlanner;
  private readonly subject = new Subject<SchedulerEvent>();
  private readonly executor: RunExecutor;
  private readonly idleWaiters = new WaitList();
  private readonly store: RunStore;
  private readonly logger: SchedulerLogger;
  private readonly shutdownTimeout: number;
  private readonly coordinator: Coordinator | null;
  /** Cluster mode: the leases of tasks without deterministic fire times. */
  private readonly leases: LeaseKeeper | null;
  /** Cluster mode: pause, resume and setTrigger shared through the store. */
  private readonly control: ControlSync | null;
  private readonly cluster: ClusterSettings | null;
  /** Where manual runs' request ids are recorded: the cluster's store, else this process. */
  private readonly requests: Coordinator;
  /** Cluster mode: the shared anchors of fixed-rate Every and Once, asked for before planning. */
  private readonly anchors: AnchorKeeper | null;
  /** Cluster mode: whether the store answers, as claims and lease renewals find out. */
  private readonly contact: StoreContact | null;
  private state: SchedulerState = 'created';
  /** Whether scheduled tasks were started, so shutdown tasks are due. */
  private started = false;
  /** Cluster mode: whether start's catch-up was made; anchors that come later catch up alone. */
  private caughtUp = false;
  private stopped: Promise<void> | undefined;

  /** Every scheduling and run event; completes when shutdown begins. */
  readonly events$: Observable<SchedulerEvent> = this.subject.asObservable();

  constructor(options: TaskSchedulerOptions) {
    this.logger = guardLogger(options.logger);
    const cluster = clusterSettings(options.cluster);
    this.cluster = cluster;
    this.coordinator = cluster?.coordinator ?? null;
    this.requests = cluster?.coordinator ?? new InMemoryCoordinator();
    this.store = cluster
      ? new CoordinatorRunStore(cluster.coordinator, cluster.instanceId, this.logger)
      : (options.store ?? new InMemoryRunStore());
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
    this.contact = cluster ? new StoreContact() : null;
    this.leases = cluster
      ? new LeaseKeeper({
          contact: this.contact!,
          coordinator: cluster.coordinator,
          instanceId: cluster.instanceId,
          ttlMs: cluster.leaseTtlMs,
          logger: this.logger,
          gained: (task) => {
            task.activeSince = Date.now();
            this.planner.replan(task, Date.now());
          },
          lost: (task, reason) => {
            this.planner.unplan(task);
            // A fire held behind the run must not start under a lease no longer held.
            this.planner.dropHeldRuns(task, reason.message, null);
            this.executor.abortRuns(task, reason);
          },
        })
      : null;
    this.anchors = cluster
      ? new AnchorKeeper({
          coordinator: cluster.coordinator,
          logger: this.logger,
          anchored: (task, fromMs) => {
            if (!task.awaitingRunEnd) this.planner.plan(task, fromMs);
          },
          // The store may keep an anchor older than this proposal (a reply lost after the write,
          // a proposer that died): its ticks nobody claimed are caught up, as at start.
          settled: (tasks) => {
            if (this.caughtUp && this.state === 'running')
              void this.planner.catchUp(tasks, Date.now());
          },
          triggerVersion: (task) => this.control?.triggerVersionOf(task) ?? 0,
        })
      : null;
    this.planner = new FirePlanner({
      cluster,
      contact: this.contact,
      standby: (task) =>
        (this.leases?.standby(task) ?? false) || (this.anchors?.isWaiting(task) ?? false),
      leaseToken: (task) => this.leases?.epochOf(task) ?? null,
      executor: this.executor,
      logger: this.logger,
      events: this.subject,
      misfireThreshold: options.misfireThreshold ?? 1_000,
      random,
      planning: () => this.state === 'running',
      changed: () => this.notifyIfIdle(),
      claimTerms: (task) => this.control!.claimTerms(task),
      claimRefused: (task, reason) => this.control!.refused(task, reason),
    });
    this.control = cluster
      ? new ControlSync({
          coordinator: cluster.coordinator,
          intervalMs: cluster.syncIntervalMs,
          inFlightTtlMs: cluster.inFlightTtlMs,
          logger: this.logger,
          tasks: () => this.catalog.values(),
          pause: (task) => this.pauseHere(task),
          resume: (task) => this.resumeHere(task),
          setTrigger: (task, trigger) => this.setTriggerHere(task, trigger),
          runsWithTokens: () => this.executor.tokenRuns(),
          exhausted: (task) => {
            this.planner.unplan(task);
            this.notifyIfIdle();
          },
        })
      : null;
  }

  /** Registers a task; validates its name, trigger and policies. Scheduled at once if running. */
  register(definition: TaskDefinition): ScheduledTask {
    const task = this.catalog.add(definition);
    this.keepLeaseIfLeader(task);
    if (this.state === 'running') {
      this.startLoop(task, Date.now());
      void this.anchors?.flush();
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
    this.leases?.remove(task);
    this.anchors?.remove(task);
    if (options.abort) this.executor.abortRuns(task, new TaskRemovedError(task.name));
    this.emit(task, { type: 'removed' });
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
    await this.coordinator?.connect();
    // A restarted replica starts with the cluster's pauses and triggers, not the code's.
    await this.control?.pull();
    if (this.state !== 'created') return; // shut down while it connected
    for (const task of this.catalog.values()) {
      if (task.phase !== 'startup') continue;
      await this.runPhaseTask(task, 'startup');
      if (this.state !== 'created') return; // shut down while it ran: start nothing more
    }
    this.state = 'running';
    this.started = true;
    const now = Date.now();
    for (const task of this.catalog.values()) this.startLoop(task, now);
    // One round trip for the anchors of every task that needs one; those tasks plan when it answers.
    await this.anchors?.flush(now);
    if (this.state !== 'running') return; // shut down while it asked
    this.caughtUp = true;
    await this.planner.catchUp(this.catalog.values(), now);
    await this.leases?.start();
    this.control?.start();
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
    this.control?.stop();
    this.anchors?.stop();
    for (const task of this.catalog.values()) {
      this.planner.dropHeldRuns(
        task,
        'the scheduler stopped',
        new SchedulerShutdownError(task.name),
      );
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
    await this.leases?.stop();
    if (this.store instanceof CoordinatorRunStore) this.store.stop();
    await this.closeCoordinator();
    this.notifyIfIdle();
    this.subject.complete();
  }

  /**
   * Runs a task now, outside its schedule, without using up its trigger's loop budget. Resolves
   * with the method's value, rejects with its error (or the timeout).
   */
  runNow(task: ScheduledTask, options: RunNowOptions = {}): Promise<unknown> {
    const { requestId } = options;
    if (requestId === undefined) return this.runNowOnce(task, options);
    const instanceId = this.cluster?.instanceId ?? 'local';
    return this.requests
      .claimRequest(instanceId, task.id, requestId, REQUEST_ID_TTL_MS)
      .then((first) => {
        if (!first) throw new DuplicateRunRequestError(task.name, requestId);
        return this.runNowOnce(task, options);
      });
  }

  private runNowOnce(task: ScheduledTask, options: RunNowOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.state === 'stopping' || this.state === 'stopped') {
        throw new SchedulerShutdownError(task.name);
      }
      const waiter = { resolve, reject };
      const { overlap } = task.policies;
      if (options.respectOverlap && task.activeRuns > 0 && overlap !== 'allow') {
        if (overlap === 'queue')
          return this.planner.hold(task, { origin: 'manual', scheduledAtMs: null, waiter });
        this.executor.recordNotRun(task, 'skipped', null, 'it overlapped a running one', 'manual');
        throw new RunSkippedError(task.name);
      }
      this.executor.start(task, 'manual', null, waiter);
    });
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
    if (this.control) return this.control.write(task, { kind: 'pause' });
    this.pauseHere(task);
    return Promise.resolve();
  }

  /** Plans the task's next fire time from now again; resolves once committed (see pause). */
  resume(task: ScheduledTask): Promise<void> {
    if (this.control) return this.control.write(task, { kind: 'resume' });
    this.resumeHere(task);
    return Promise.resolve();
  }

  /**
   * Replaces the task's trigger, with a fresh state, from the next fire time on; resolves once
   * committed (see pause). In a cluster it travels as its description and the loop budget counted
   * in the store starts again. Bad triggers throw before anything is written.
   */
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): Promise<void> {
    const state = this.catalog.checkReplacement(task, trigger);
    if (this.control) {
      return this.control.write(task, { kind: 'setTrigger', trigger: trigger.describe() }, trigger);
    }
    this.setTriggerHere(task, trigger, state);
    return Promise.resolve();
  }

  private pauseHere(task: ScheduledTask): void {
    if (task.paused) return;
    task.paused = true;
    this.planner.unplan(task);
    this.planner.dropHeldRuns(task, 'the task was paused', null);
    this.emit(task, { type: 'paused' });
    this.notifyIfIdle();
  }

  private resumeHere(task: ScheduledTask): void {
    if (!task.paused) return;
    task.paused = false;
    task.activeSince = Date.now();
    this.emit(task, { type: 'resumed' });
    // A task paused since it started (disabled) has no anchor yet: one is asked for now.
    if (this.state === 'running' && this.needsAnchors(task) && !holdsAnchor(task.triggerState)) {
      this.anchors!.add(task);
      void this.anchors!.flush();
    } else this.planner.replan(task, Date.now());
  }

  private setTriggerHere(task: ScheduledTask, trigger: BaseTrigger, state?: TriggerState): void {
    this.catalog.replaceTrigger(task, trigger, state);
    task.activeSince = Date.now();
    this.leases?.remove(task);
    this.anchors?.remove(task);
    this.keepLeaseIfLeader(task);
    this.planner.unplan(task);
    this.emit(task, { type: 'rescheduled', trigger: task.describeTrigger() });
    if (this.state === 'running' && this.needsAnchors(task)) {
      this.anchors!.add(task);
      void this.anchors!.flush();
    } else if (!task.awaitingRunEnd) this.planner.plan(task, Date.now());
  }

  /** History of a task, newest first. */
  async history(idOrName: string, limit: number): Promise<RunRecord[]> {
    return this.store.list(this.catalog.idOf(idOrName), limit);
  }

  /** The next `count` nominal fire times (epoch ms) of a task at or after `fromMs`; see upcomingOfTask. */
  upcoming(task: ScheduledTask, fromMs: number, count: number): number[] {
    // Nothing is planned while the cluster's anchors are asked for: the times depend on them.
    if (this.anchors?.isWaiting(task)) return [];
    return upcomingOfTask(task, this.state, fromMs, count);
  }

  /** The scheduler's state, and the cluster store's as this replica sees it. */
  status(): SchedulerStatus {
    return {
      state: this.state,
      tasks: this.catalog.size,
      runsInFlight: this.executor.runsInFlight,
      cluster: this.clusterStatus(),
      overdue: this.overdue(),
    };
  }

  private overdue(): OverdueTask[] {
    if (this.state !== 'running') return [];
    return listOverdue(this.catalog.values(), Date.now(), (task) => this.leases?.standby(task));
  }

  private clusterStatus(): ClusterStatus | null {
    const status = this.planner.clusterStatus();
    return status && { ...status, leasesHeld: this.leases?.heldTaskNames() ?? [] };
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

  private async closeCoordinator(): Promise<void> {
    try {
      await this.coordinator?.close();
    } catch (error) {
      this.logger.error(`Closing the cluster store failed: ${describeError(error).message}`);
    }
  }

  /**
   * In a cluster, a task without deterministic fire times runs on one replica at a time, under a
   * lease; startup and shutdown tasks run on every replica.
   */
  private keepLeaseIfLeader(task: ScheduledTask): void {
    if (this.leases && task.phase === 'scheduled' && !task.trigger.deterministic && !task.local) {
      this.leases.add(task);
    }
  }

  /**
   * In a cluster, a task claimed per tick whose trigger counts from an instant of its own
   * (fixed-rate Every, Once) is planned once the replicas agree on that instant.
   */
  private needsAnchors(task: ScheduledTask): boolean {
    return (
      this.anchors !== null &&
      task.phase === 'scheduled' &&
      !task.local &&
      task.trigger.deterministic &&
      AnchorKeeper.needs(task)
    );
  }

  /**
   * Starts a scheduled task's loop at `now`, after its initial delay; in a cluster, a task that
   * needs anchors is queued for them instead (the caller flushes the queue).
   */
  private startLoop(task: ScheduledTask, now: number): void {
    if (task.phase !== 'scheduled') return;
    task.activeSince = now;
    if (task.initialDelay > 0) task.notBefore = now + task.initialDelay;
    // A paused (disabled) task asks for its anchors when it is resumed, not at a start long past.
    if (this.needsAnchors(task)) {
      if (!task.paused) this.anchors!.add(task);
    } else this.planner.plan(task, now);
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
