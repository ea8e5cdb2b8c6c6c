import type { BaseTrigger, TriggerDescription } from '../triggers/base.trigger.js';
import type { TriggerState } from '../triggers/trigger-state.js';
import type { RunRecord, RunStatus } from './run-record.js';
import type { TaskContext } from './task-context.js';
import type { ResolvedPolicies, TaskPolicies } from './task-policies.js';
import type { TimerItem } from './timer-queue.js';
import type { SyncedRunStats } from './cluster-run-stats.js';
import { taskIdFromName } from './task-id.js';

/** What it takes to register a task: the Nest explorer builds these, and users may by hand. */
export interface TaskDefinition {
  name: string;
  group?: string | null;
  trigger: BaseTrigger;
  handler: (context: TaskContext) => unknown;
  /** The task's own policies; they win over its group's and the module's. */
  policies?: TaskPolicies;
  /** The group's policy defaults (from `@TaskGroup`); they win over the module's. */
  groupPolicies?: TaskPolicies;
  /** Where the task was declared (e.g. `PricePoller.poll`), for error messages. */
  source?: string;
  /** Registered and listed, but never scheduled until resumed (it starts paused). */
  disabled?: boolean;
  /** No fire before the scheduler's start (or this registration, if later) + this many ms. */
  initialDelay?: number;
  /** In a cluster: 'cluster' (default) runs each tick on one replica, 'local' on every replica. */
  coordination?: 'cluster' | 'local';
  /**
   * Health checks report the task when it has not succeeded in time: `true` (within its expected
   * period, derived from the trigger) or `{ within: ms }`. See `registry.status().overdue`.
   */
  critical?: boolean | CriticalOptions;
}

/** How long a critical task may go without a success. */
export interface CriticalOptions {
  /** Ms since the last success (or since the task was scheduled); default derived from the trigger. */
  within?: number;
}

/**
 * How a cluster runs a task's ticks: each claimed by one replica ('claimed': a deterministic
 * schedule), on the replica holding its lease ('leased': the others), or on every replica ('local').
 */
export type ClusterMode = 'claimed' | 'leased' | 'local';

/** Runs and fire times per outcome. */
export type RunCounters = Record<RunStatus, number>;

/** Counters of a task that has done nothing yet. */
export function noRuns(): RunCounters {
  return { succeeded: 0, failed: 0, timedOut: 0, skipped: 0, missed: 0, cancelled: 0 };
}

/** What a task has done: made at its first run, so that idle tasks stay small. */
export interface TaskStats {
  /** Attempts started, over the task's life. */
  runCount: number;
  counters: RunCounters;
  /** The newest history record. */
  lastRun: RunRecord | null;
  /** When the newest successful run ended (epoch ms), and how long it took; null before one. */
  lastSuccess: { at: number; durationMs: number } | null;
  /** When the newest attempt started (epoch ms). */
  lastStartAt: number;
}

/** How a task was declared: its policies, group and origin. Tasks declared alike share one. */
export interface TaskProfile {
  readonly policies: ResolvedPolicies;
  readonly group: string | null;
  /** Where the task was declared (e.g. `PricePoller.poll`), if known. */
  readonly source: string | undefined;
  /** No fire before start + this many ms (0: none). */
  readonly initialDelay: number;
  /** In a cluster, whether the task runs on every replica ('local') instead of once. */
  readonly local: boolean;
  /** Null unless critical; `within` null: derived from the trigger. */
  readonly critical: { within: number | null } | null;
}

/**
 * One task at run time in one scheduler: its definition, its trigger and that trigger's state,
 * and what it has done. Only the scheduler and its executor change it; the registry reads it to
 * build metadata. It is its own entry in the timer queue (the TimerItem fields), so a waiting task
 * costs no extra object.
 */
export class ScheduledTask implements TimerItem {
  dueAt = 0;
  heapIndex = -1;
  heapSeq = 0;
  readonly name: string;
  readonly handler: (context: TaskContext) => unknown;
  /** The trigger in force: the declared one, or one set by `setTrigger`. */
  trigger: BaseTrigger;
  /** The trigger's run-time state in this scheduler. */
  triggerState: TriggerState;
  /** The random delay (ms) added to the queued wake-up's nominal fire time (the jitter policy). */
  jitterMs = 0;
  /**
   * Cluster: the store's clock minus this one's that the queued wake-up of a claimed tick was
   * planned with (0 for other tasks, or while unknown): it is due here when the store's clock
   * reaches its fire time.
   */
  storeOffsetMs = 0;
  /** No fire is planned before this (epoch ms): start + `initialDelay`; 0 when none. */
  notBefore = 0;
  /** Paused tasks plan nothing; a removed task stays paused for good. */
  paused = false;
  /** Runs in progress (manual ones included). */
  activeRuns = 0;
  /** True while the next fire waits for the current run to end (a fixed-delay trigger). */
  awaitingRunEnd = false;
  /** What the task has done; null until its first run or not-run fire. */
  stats: TaskStats | null = null;
  /** When its schedule last began here (start, registration, resume, new trigger), epoch ms. */
  activeSince = 0;
  /** Cluster: the task's run totals in the store as of the last sync; null without a cluster. */
  sharedStats: SyncedRunStats | null = null;
  /** Cluster: the nominal time of the last tick another replica won (its run is theirs to judge). */
  settledElsewhereAt: number | null = null;
  /**
   * Cluster: the newest tick the store answered this replica for (or its high-water mark read at
   * start). Never claimed again: the store answers its claimer's repeated claim as won (for a
   * reply lost), so a tick planned twice (a restart, a new trigger) would run twice.
   */
  claimedUpTo: number | null = null;
  private readonly profile: TaskProfile;
  private cachedId: string | null = null;

  constructor(definition: TaskDefinition, profile: TaskProfile, triggerState: TriggerState) {
    this.paused = definition.disabled === true;
    this.name = definition.name;
    this.handler = definition.handler;
    this.trigger = definition.trigger;
    this.triggerState = triggerState;
    this.profile = profile;
  }

  /** The nominal time (epoch ms) of the queued wake-up, before jitter; null while none is queued. */
  get plannedAt(): number | null {
    return this.heapIndex >= 0 ? this.dueAt - this.jitterMs + this.storeOffsetMs : null;
  }

  /** Stable UUID derived from the name (hashed on first use, and kept: runs need it). */
  get id(): string {
    return (this.cachedId ??= taskIdFromName(this.name));
  }

  /** The id for a read such as metadata: not kept, so that listing tasks does not grow idle ones. */
  peekId(): string {
    return this.cachedId ?? taskIdFromName(this.name);
  }

  /** No fire before start + this many ms (0: none). */
  get initialDelay(): number {
    return this.profile.initialDelay;
  }

  /** In a cluster, whether the task runs on every replica ('local') instead of once. */
  get local(): boolean {
    return this.profile.local;
  }

  /** In a cluster, how its ticks are run; the phase is not considered (see ClusterMode). */
  get clusterMode(): ClusterMode {
    if (this.local) return 'local';
    return this.trigger.deterministic ? 'claimed' : 'leased';
  }

  /** Null unless the task is critical (see TaskDefinition.critical). */
  get critical(): { within: number | null } | null {
    return this.profile.critical;
  }

  get policies(): ResolvedPolicies {
    return this.profile.policies;
  }

  get group(): string | null {
    return this.profile.group;
  }

  /** Where the task was declared (e.g. `PricePoller.poll`), for messages. */
  get source(): string {
    return this.profile.source ?? this.name;
  }

  /** Whether the task is in its startup, scheduled or shutdown phase. */
  get phase() {
    return this.trigger.phase;
  }

  /** The trigger's description; a trigger whose `describe()` throws gets a stand-in. */
  describeTrigger(): TriggerDescription {
    try {
      const description = this.trigger.describe();
      if (typeof description?.type === 'string') return description;
    } catch {
      // Fall through: one broken trigger must not break listing or logging the others.
    }
    return { type: this.trigger.constructor?.name ?? 'Trigger', describeFailed: true };
  }

  /** Counts an attempt that starts. */
  countStart(): void {
    const stats = this.ensureStats();
    stats.runCount++;
    stats.lastStartAt = Date.now();
  }

  /** Counts one outcome and keeps it as the last run. */
  countOutcome(record: RunRecord): void {
    const stats = this.ensureStats();
    stats.counters[record.status]++;
    stats.lastRun = record;
    if (record.status === 'succeeded') {
      const at = record.finishedAt.getTime();
      stats.lastSuccess = { at, durationMs: at - (record.startedAt?.getTime() ?? at) };
    }
  }

  private ensureStats(): TaskStats {
    return (this.stats ??= {
      runCount: 0,
      counters: noRuns(),
      lastRun: null,
      lastSuccess: null,
      lastStartAt: 0,
    });
  }
}
