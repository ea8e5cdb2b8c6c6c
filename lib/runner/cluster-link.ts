import type { BaseTrigger } from '../triggers/base.trigger.js';
import { AnchorKeeper } from './anchor-keeper.js';
import { ControlSync } from './control-sync.js';
import { CoordinatorRunStore } from './coordinator-run-store.js';
import {
  storeClockOffset,
  type ClaimRefusal,
  type ControlChange,
  type TickClaim,
} from './coordinator.js';
import type { FirePlanner, FirePlannerDeps } from './fire-planner.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { RunExecutor } from './run-executor.js';
import { describeError } from './run-record.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import { StoreContact } from './store-contact.js';
import type { ClusterSettings } from './cluster-options.js';
import type { ClaimCounts } from './tick-claimer.js';

/** What `registry.status()` says of the cluster store. */
export interface ClusterStatus {
  /** 'memory', 'redis' or 'postgres'. */
  store: string;
  instanceId: string;
  /** False from a failed round trip (claim, lease) until one succeeds again. */
  reachable: boolean;
  /** When the store last answered a claim or a lease renewal. */
  lastContactAt: Date | null;
  /** When the current run of failed round trips began; null while the store answers. */
  unreachableSince: Date | null;
  /**
   * The store's clock minus this machine's (ms), as the coordinator last measured it on a round
   * trip it makes anyway; null when it cannot tell. Claims are judged on the store's clock.
   */
  clockOffsetMs: number | null;
  /** Tasks whose lease this replica holds (those without deterministic fire times). */
  leasesHeld: string[];
  /** Ticks this replica claimed since it started, by the store's answer (for metrics). */
  claims: ClaimCounts;
}

/** What the link needs from its scheduler. */
export interface ClusterLinkDeps {
  settings: ClusterSettings;
  logger: SchedulerLogger;
  /** The scheduler's executor: built after the link, since it records runs in the link's history. */
  executor(): RunExecutor;
  /** The scheduler's planner: built after the link, since it plans with the link's answers. */
  planner(): FirePlanner;
  tasks(): Iterable<ScheduledTask>;
  /** Whether the scheduler runs (plans fires). */
  running(): boolean;
  /** Apply a pause, resume or trigger the store committed (see ControlSync). */
  pause(task: ScheduledTask): void;
  resume(task: ScheduledTask): void;
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): void;
  /** A task stopped here because of the cluster (loop budget spent): wake idle waiters. */
  changed(): void;
}

/** What the planner asks of the cluster (see FirePlannerDeps). */
export type ClusterAnswers = Pick<
  FirePlannerDeps,
  'contact' | 'standby' | 'leaseToken' | 'claimTerms' | 'claimRefused' | 'claimCurrent'
>;

/** Without a cluster no task stands by, no run has a fencing token and nothing is claimed. */
const STANDALONE: ClusterAnswers = {
  contact: null,
  standby: () => false,
  leaseToken: () => null,
};

/** The planner's answers from `link`, or those of one process without it. */
export function clusterAnswers(link: ClusterLink | null): ClusterAnswers {
  if (link === null) return STANDALONE;
  return {
    contact: link.contact,
    standby: (task) => link.standby(task),
    leaseToken: (task) => link.leaseToken(task),
    claimTerms: (task) => link.claimTerms(task),
    claimRefused: (task, reason) => link.claimRefused(task, reason),
    claimCurrent: (task, version) => link.claimCurrent(task, version),
  };
}

/**
 * Cluster mode: builds and owns this replica's parts that talk to the store, and turns what they
 * learn into the planner's and executor's actions. They are the store's reachability
 * (StoreContact), the shared run history (CoordinatorRunStore), the leases of tasks run by one replica at a time (LeaseKeeper), the shared
 * anchors of fixed-rate Every and Once (AnchorKeeper), and the shared pause, resume and setTrigger
 * state (ControlSync). The scheduler asks it whether a task stands by, for fencing tokens, claim
 * terms and the cluster's status, and writes control changes through it. Ticks themselves are
 * claimed by the planner's TickClaimer.
 */
export class ClusterLink {
  /** Where round trips (claims, leases) report whether the store answered. */
  readonly contact = new StoreContact();
  /** The run history, kept in the store and shared by every replica. */
  readonly history: CoordinatorRunStore;
  private readonly leases: LeaseKeeper;
  private readonly anchors: AnchorKeeper;
  private readonly control: ControlSync;
  /** Whether start's catch-up was made; anchors that come later catch up alone. */
  private caughtUp = false;

  constructor(private readonly deps: ClusterLinkDeps) {
    const { settings, logger } = deps;
    this.history = new CoordinatorRunStore(settings.coordinator, settings.instanceId, logger);
    this.leases = new LeaseKeeper({
      contact: this.contact,
      coordinator: settings.coordinator,
      holderId: settings.claimerId,
      ttlMs: settings.leaseTtlMs,
      logger,
      gained: (task) => {
        task.activeSince = Date.now();
        deps.planner().replan(task, Date.now());
      },
      lost: (task, reason) => {
        const planner = deps.planner();
        planner.unplan(task);
        // A fire held behind the run must not start under a lease no longer held.
        planner.dropHeldRuns(task, reason.message, null);
        deps.executor().abortRuns(task, reason);
      },
    });
    this.anchors = new AnchorKeeper({
      coordinator: settings.coordinator,
      logger,
      anchored: (task, fromMs) => {
        if (!task.awaitingRunEnd) deps.planner().plan(task, fromMs);
      },
      // The store may keep an anchor older than this proposal (a reply lost after the write,
      // a proposer that died): its ticks nobody claimed are caught up, as at start.
      settled: (tasks) => {
        if (this.caughtUp && deps.running()) void deps.planner().catchUp(tasks, Date.now());
      },
      triggerVersion: (task) => this.control.triggerVersionOf(task),
    });
    this.control = new ControlSync({
      coordinator: settings.coordinator,
      intervalMs: settings.syncIntervalMs,
      inFlightTtlMs: settings.inFlightTtlMs,
      logger,
      tasks: () => deps.tasks(),
      pause: (task) => deps.pause(task),
      resume: (task) => deps.resume(task),
      setTrigger: (task, trigger) => deps.setTrigger(task, trigger),
      runsWithTokens: () => deps.executor().tokenRuns(),
      exhausted: (task) => {
        deps.planner().unplan(task);
        deps.changed();
      },
    });
  }

  /**
   * Opens the store and reads the cluster's pauses and triggers: a restarted replica starts with
   * them, not the code's.
   */
  async connect(): Promise<void> {
    await this.deps.settings.coordinator.connect();
    await this.control.pull();
  }

  /**
   * Once every task's loop started and the anchors asked for at start came: claims the ticks
   * nobody claimed while the cluster was down, then takes the leases and syncs the control state.
   */
  async start(now: number): Promise<void> {
    this.caughtUp = true;
    await this.deps.planner().catchUp(this.deps.tasks(), now);
    await this.leases.start();
    this.control.start();
  }

  /** Stops syncing and asking for anchors (the scheduler stops planning). */
  stop(): void {
    this.control.stop();
    this.anchors.stop();
  }

  /**
   * Releases the leases held, so another replica takes over at once, stops writing history again
   * (what is still pending is reported lost), and closes the store.
   */
  async close(): Promise<void> {
    await this.leases.stop();
    this.history.stop();
    try {
      await this.deps.settings.coordinator.close();
    } catch (error) {
      this.deps.logger.error(`Closing the cluster store failed: ${describeError(error).message}`);
    }
  }

  /**
   * Takes on a task (registered, or given a new trigger): one without deterministic fire times
   * runs on one replica at a time, under a lease; startup and shutdown tasks run on every replica.
   */
  track(task: ScheduledTask): void {
    if (task.phase === 'scheduled' && task.clusterMode === 'leased') this.leases.add(task);
  }

  /** Forgets a task's lease and anchors (removed, or its trigger replaced). */
  forget(task: ScheduledTask): void {
    this.leases.remove(task);
    this.anchors.remove(task);
  }

  /**
   * Whether the task is claimed per tick with a trigger that counts from an instant of its own
   * (fixed-rate Every, Once): it is planned once the replicas agree on that instant.
   */
  needsAnchors(task: ScheduledTask): boolean {
    return task.phase === 'scheduled' && task.clusterMode === 'claimed' && AnchorKeeper.needs(task);
  }

  /** Queues the task for its anchors; it is planned when they come (see `flushAnchors`). */
  queueAnchors(task: ScheduledTask): void {
    this.anchors.add(task);
  }

  /** Asks for the anchors of every queued task in one round trip (see AnchorKeeper.flush). */
  flushAnchors(nowMs?: number): Promise<void> {
    return this.anchors.flush(nowMs);
  }

  /** Whether the task waits for its anchors: nothing is planned for it meanwhile. */
  waitsForAnchors(task: ScheduledTask): boolean {
    return this.anchors.isWaiting(task);
  }

  /** Whether the task runs under a lease this replica does not hold. */
  waitsForLease(task: ScheduledTask): boolean {
    return this.leases.standby(task);
  }

  /** Whether the planner leaves the task alone here: it waits for a lease or for its anchors. */
  standby(task: ScheduledTask): boolean {
    return this.waitsForLease(task) || this.waitsForAnchors(task);
  }

  /** The fencing token of a task run under a lease this replica holds, else null. */
  leaseToken(task: ScheduledTask): number | null {
    return this.leases.epochOf(task);
  }

  /** What a claim of the task carries (see ControlSync.claimTerms). */
  claimTerms(task: ScheduledTask): Omit<TickClaim, 'taskId' | 'scheduledAt'> {
    return this.control.claimTerms(task);
  }

  /** The store refused a tick for the task's shared state (see ControlSync.refused). */
  claimRefused(task: ScheduledTask, reason: ClaimRefusal): void {
    this.control.refused(task, reason);
  }

  /** Whether a tick claimed with control version `version` may still start (see ControlSync.current). */
  claimCurrent(task: ScheduledTask, version: number): Promise<boolean> {
    return this.control.current(task, version);
  }

  /** Commits a control change in the store, then applies it here (see ControlSync.write). */
  write(task: ScheduledTask, change: ControlChange, trigger?: BaseTrigger): Promise<void> {
    return this.control.write(task, change, trigger);
  }

  /** The store's state as this replica sees it, with the leases it holds and the ticks it claimed. */
  status(): ClusterStatus {
    const { coordinator, instanceId } = this.deps.settings;
    const { contact } = this;
    return {
      store: coordinator.kind,
      instanceId,
      reachable: contact.reachable,
      lastContactAt: toDate(contact.lastContactAt),
      unreachableSince: toDate(contact.unreachableSince),
      clockOffsetMs: storeClockOffset(coordinator),
      leasesHeld: this.leases.heldTaskNames(),
      // The planner has a claimer whenever it was built with the cluster settings the link has.
      claims: this.deps.planner().claimCounts()!,
    };
  }
}

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
