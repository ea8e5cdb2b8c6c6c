import type { BaseTrigger } from '../triggers/base.trigger.js';
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
}

const PAUSED = 1;
const AWAITING_RUN_END = 2;

/**
 * The single source of truth for one task at run time: its definition, trigger, policies and
 * state. Only the scheduler mutates it; the registry reads it to build metadata. It is also its
 * own entry in the timer queue, so a waiting task costs no extra object. The planned fire time
 * lives on the trigger (`expectedTriggerMs`). Every field costs 8 bytes per task, so rare values
 * share one lazily made object: 100,000 idle tasks must stay small.
 */
export class ScheduledTask implements TimerItem {
  dueAt = 0;
  heapIndex = -1;
  heapSeq = 0;
  readonly name: string;
  readonly handler: (context: TaskContext) => unknown;
  trigger: BaseTrigger;
  policies: ResolvedPolicies;
  /** Runs in progress (manual ones included). */
  activeRuns = 0;
  private flags = 0;
  private readonly declaration: { group: string | null; source: string | undefined } | null;
  private stats: TaskStats | null = null;

  constructor(definition: TaskDefinition, policies: ResolvedPolicies) {
    this.name = definition.name;
    this.handler = definition.handler;
    this.trigger = definition.trigger;
    this.policies = policies;
    const { group, source } = definition;
    this.declaration = group || source ? { group: group ?? null, source } : null;
  }

  /** Stable UUID derived from the name. */
  get id(): string {
    const stats = this.ensureStats();
    return (stats.id ??= taskIdFromName(this.name));
  }

  get group(): string | null {
    return this.declaration?.group ?? null;
  }

  /** Where the task was declared (e.g. `PricePoller.poll`), for messages. */
  get source(): string {
    return this.declaration?.source ?? this.name;
  }

  /** The planned fire time (epoch ms) of the pending wake-up, before jitter; null if none. */
  get plannedAt(): number | null {
    return this.trigger.expectedTriggerMs;
  }

  get paused(): boolean {
    return (this.flags & PAUSED) !== 0;
  }

  set paused(value: boolean) {
    this.flags = value ? this.flags | PAUSED : this.flags & ~PAUSED;
  }

  /** True while a scheduled run of a run-end-anchored trigger is going: the next fire waits for it. */
  get awaitingRunEnd(): boolean {
    return (this.flags & AWAITING_RUN_END) !== 0;
  }

  set awaitingRunEnd(value: boolean) {
    this.flags = value ? this.flags | AWAITING_RUN_END : this.flags & ~AWAITING_RUN_END;
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
    });
  }
}
