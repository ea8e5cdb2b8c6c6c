import type { TriggerDescription } from '../triggers/base.trigger.js';
import type { RunRecord } from './run-record.js';
import { mergeRunStats } from './cluster-run-stats.js';
import { noRuns, type RunCounters, type ScheduledTask } from './scheduled-task.js';
import type { ResolvedPolicies } from './task-policies.js';

/** A JSON-safe view of one task, as `TaskRegistry.getTasks()` returns it. */
export interface TaskMetadata {
  id: string;
  name: string;
  group: string | null;
  phase: 'startup' | 'scheduled' | 'shutdown';
  trigger: TriggerDescription;
  /** The next planned fire time; null when paused, exhausted, stopped or not started. */
  nextRunAt: Date | null;
  running: boolean;
  paused: boolean;
  /**
   * Attempts started (manual runs and retries included). In a cluster, this and `counters` and
   * `lastRun` are the cluster's (the store's totals as of the last sync, or this replica's own
   * counts where higher).
   */
  runCount: number;
  /** Fires counted against the trigger's `maxLoopCount` (manual runs do not count). */
  loopCount: number;
  /** The nominal time of the last fire (run, skipped or missed); null before the first. */
  lastFiredAt: Date | null;
  /** The zone wall-clock triggers read their times in (their own `tz`, else the module's); null for others. */
  timeZone: string | null;
  counters: RunCounters;
  lastRun: RunRecord | null;
  /** Null unless the task is critical; `within` null: its period is derived from the trigger. */
  critical: { within: number | null } | null;
  policies: {
    timeout: number | null;
    overlap: ResolvedPolicies['overlap'];
    misfire: ResolvedPolicies['misfire'];
    catchUpWindow: number | null;
    jitter: number;
    retryAttempts: number;
  };
}

/** Builds the metadata of a task from its live state. */
export function toTaskMetadata(task: ScheduledTask): TaskMetadata {
  const { policies, triggerState: state } = task;
  const stats = mergeRunStats(task.stats, task.sharedStats);
  return {
    id: task.peekId(),
    name: task.name,
    group: task.group,
    phase: task.phase,
    trigger: task.describeTrigger(),
    nextRunAt: task.plannedAt === null ? null : new Date(task.plannedAt),
    running: task.activeRuns > 0,
    paused: task.paused,
    runCount: stats?.runCount ?? 0,
    loopCount: state.loopCount,
    lastFiredAt: state.lastFireAt === null ? null : new Date(state.lastFireAt),
    timeZone: state.zone ?? null,
    counters: stats?.counters ?? noRuns(),
    lastRun: stats?.lastRun ?? null,
    critical: task.critical && { ...task.critical },
    policies: {
      timeout: policies.timeout,
      overlap: policies.overlap,
      misfire: policies.misfire,
      catchUpWindow: policies.catchUpWindow,
      jitter: policies.jitter,
      retryAttempts: policies.retry.attempts,
    },
  };
}
