import type { TriggerDescription } from '../triggers/base.trigger.js';
import type { RunRecord } from './run-record.js';
import type { RunCounters, ScheduledTask } from './scheduled-task.js';
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
  /** Attempts started (manual runs and retries included). */
  runCount: number;
  counters: RunCounters;
  lastRun: RunRecord | null;
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
  const { policies } = task;
  return {
    id: task.id,
    name: task.name,
    group: task.group,
    phase: task.phase,
    trigger: task.trigger.describe(),
    nextRunAt: task.plannedAt === null ? null : new Date(task.plannedAt),
    running: task.activeRuns > 0,
    paused: task.paused,
    runCount: task.runCount,
    counters: { ...task.counters },
    lastRun: task.lastRun,
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
