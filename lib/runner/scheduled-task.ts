import type { BaseTrigger, TriggerOwner } from '../triggers/base.trigger.js';
import type { RunRecord, RunStatus } from './run-record.js';
import { RunAttempt } from './run-attempt.js';
import type { TaskContext } from './task-context.js';
import type { ResolvedPolicies, TaskPolicies } from './task-policies.js';
import type { TimerItem } from './timer-queue.js';
import { taskIdFromName } from './task-id.js';

/** What it takes to register a task: the Nest explorer builds these, and users may by hand. */
export interface TaskDefinition {
  name: string;
  group?: string | null;
  trigger: BaseTrigger;
  handler: (context: TaskContext) => unknown;
  policies?: TaskPolicies;
  /** Where the task was declared (e.g. `PricePoller.poll`), for error messages. */
  source?: string;
}

/** Runs and fire times per outcome. */
export type RunCounters = Record<RunStatus, number>;

const ZERO_COUNTERS: Readonly<RunCounters> = Object.freeze({
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  skipped: 0,
  missed: 0,
  cancelled: 0,
});

/** What a task accumulates once it runs (or is looked up by id), kept apart so idle tasks stay small. */
interface TaskStats {
  id: string | undefined;
  counters: RunCounters;
  /** The newest outcome: a finished attempt (its record is built when read) or a not-run record. */
  last: RunAttempt | RunRecord | null;
  runCount: number;
  queuedFireAt: number | null;
  /** The jitter added to the pending fire's planned time (ms). */
  jitterOffset: number;
}

/** How a task was declared: its policies, group and origin. Tasks declared alike share one. */
export interface TaskProfile {
  readonly policies: ResolvedPolicies;
  readonly group: string | null;
  /** Where the task was declared (e.g. `PricePoller.poll`), if known. */
  readonly source: string | undefined;
}

// The low bits of `state` are flags; the rest counts the runs in progress.
const PAUSED = 1;
const AWAITING_RUN_END = 2;
const FLAG_BITS = 2;
const FLAG_MASK = (1 << FLAG_BITS) - 1;

/**
 * The single source of truth for one task at run time: its definition, trigger, policies and
 * state. Only the scheduler mutates it; the registry reads it to build metadata. It is also its
 * own entry in the timer queue, so a waiting task costs no extra object, and its trigger's owner,
 * which reads the planned fire time from here (due time minus jitter). Every field costs 8 bytes
 * per task, so rare values share one lazily made object: 100,000 idle tasks must stay small.
 */
export class ScheduledTask implements TimerItem, TriggerOwner {
  dueAt = 0;
  heapIndex = -1;
  heapSeq = 0;
  readonly name: string;
  readonly handler: (context: TaskContext) => unknown;
  trigger: BaseTrigger;
  private readonly profile: TaskProfile;
  /** Flags, and the count of runs in progress above them. */
  private state = 0;
  private stats: TaskStats | null = null;

  constructor(definition: TaskDefinition, profile: TaskProfile) {
    this.name = definition.name;
    this.handler = definition.handler;
    this.trigger = definition.trigger;
    this.profile = profile;
  }

  get policies(): ResolvedPolicies {
    return this.profile.policies;
  }

  /** Runs in progress (manual ones included). */
  get activeRuns(): number {
    return this.state >>> FLAG_BITS;
  }

  set activeRuns(count: number) {
    this.state = (count << FLAG_BITS) | (this.state & FLAG_MASK);
  }

  /** Stable UUID derived from the name. */
  get id(): string {
    const stats = this.ensureStats();
    return (stats.id ??= taskIdFromName(this.name));
  }

  get group(): string | null {
    return this.profile.group;
  }

  /** Where the task was declared (e.g. `PricePoller.poll`), for messages. */
  get source(): string {
    return this.profile.source ?? this.name;
  }

  /** The planned fire time (epoch ms) of the pending wake-up, before jitter; null if none. */
  get plannedAt(): number | null {
    return this.heapIndex >= 0 ? this.firePlannedAt : null;
  }

  /** The planned time of the wake-up queued last, pending or just handed out by the queue. */
  get firePlannedAt(): number {
    return this.dueAt - (this.stats?.jitterOffset ?? 0);
  }

  /** Keeps the jitter added to the planned time of the wake-up being queued (ms). */
  setJitterOffset(value: number): void {
    if (value !== 0 || this.stats) this.ensureStats().jitterOffset = value;
  }

  get paused(): boolean {
    return (this.state & PAUSED) !== 0;
  }

  set paused(value: boolean) {
    this.state = value ? this.state | PAUSED : this.state & ~PAUSED;
  }

  /** True while a scheduled run of a run-end-anchored trigger is going: the next fire waits for it. */
  get awaitingRunEnd(): boolean {
    return (this.state & AWAITING_RUN_END) !== 0;
  }

  set awaitingRunEnd(value: boolean) {
    this.state = value ? this.state | AWAITING_RUN_END : this.state & ~AWAITING_RUN_END;
  }

  /** A fire time (epoch ms) held back by the 'queue' overlap policy, to run when the current run ends. */
  get queuedFireAt(): number | null {
    return this.stats?.queuedFireAt ?? null;
  }

  set queuedFireAt(value: number | null) {
    if (value !== null || this.stats) this.ensureStats().queuedFireAt = value;
  }

  /** Attempts started, over the task's life. */
  get runCount(): number {
    return this.stats?.runCount ?? 0;
  }

  /** The newest history record. */
  get lastRun(): RunRecord | null {
    const last = this.stats?.last ?? null;
    return last instanceof RunAttempt ? last.toRecord() : last;
  }

  /** Outcome counts. */
  get counters(): Readonly<RunCounters> {
    return this.stats?.counters ?? ZERO_COUNTERS;
  }

  /** Counts an attempt that starts. */
  countStart(): void {
    this.ensureStats().runCount++;
  }

  /** Counts one outcome and keeps it as the last run. */
  countOutcome(status: RunStatus, last: RunAttempt | RunRecord): void {
    const stats = this.ensureStats();
    stats.counters[status]++;
    stats.last = last;
  }

  /** Whether the task is in its startup, scheduled or shutdown phase. */
  get phase() {
    return this.trigger.phase;
  }

  private ensureStats(): TaskStats {
    return (this.stats ??= {
      id: undefined,
      counters: { ...ZERO_COUNTERS },
      last: null,
      runCount: 0,
      queuedFireAt: null,
      jitterOffset: 0,
    });
  }
}
