import type { BaseTrigger } from '../triggers/base.trigger.js';
import type { TriggerState } from '../triggers/trigger-state.js';
import type { ScheduledTask } from './scheduled-task.js';
import { upcomingFireTimes } from './upcoming-fires.js';

/** A critical task that has not succeeded in time, as `registry.status().overdue` lists it. */
export interface OverdueTask {
  task: string;
  group: string | null;
  /** When its last successful run ended; null if none did since the scheduler started. */
  lastSucceededAt: Date | null;
  /** When a success was due at the latest. */
  dueBy: Date;
  /** The period given as `critical: { within }`, or null when derived from the trigger. */
  within: number | null;
}

/** Least grace after the second fire time, for the run itself and the scheduler's lateness. */
const MIN_GRACE_MS = 1_000;

/**
 * The instant by which a critical task should have succeeded again, or null when nothing is
 * expected of it (not critical, paused, not scheduled, exhausted, or back to back without a
 * `within`). Counted from its last success, or from when its schedule began here if later.
 *
 * Without `within`, the deadline is the second fire time after that instant, so one failed or
 * missed run is tolerated (a weekday cron is not due on Sunday), plus a grace for the run itself:
 * its timeout, or twice its last successful run, at least a second. Before any success (nothing
 * tells how long runs take) a run in progress without a timeout extends the grace as it goes.
 */
export function successDeadline(task: ScheduledTask, now: number): number | null {
  const { critical, trigger, triggerState } = task;
  if (critical === null || task.paused || task.phase !== 'scheduled') return null;
  const success = task.stats?.lastSuccess ?? null;
  const since = Math.max(task.activeSince, success?.at ?? 0, task.settledElsewhereAt ?? 0);
  if (critical.within !== null) return since + critical.within;
  if (!safely(() => trigger.canFire(triggerState))) return null;
  const second = secondFireAfter(task, since);
  if (second === null) return null;
  const { timeout } = task.policies;
  const stats = task.stats;
  const firstRunGoing = success === null && timeout === null && task.activeRuns > 0;
  const grace = Math.max(
    MIN_GRACE_MS,
    timeout ?? 0,
    2 * (success?.durationMs ?? 0),
    firstRunGoing && stats ? now - stats.lastStartAt + MIN_GRACE_MS : 0,
  );
  return second + grace;
}

/** The task's entry in `overdue` at `now`, or null when it is on time or nothing is expected. */
export function overdueAt(task: ScheduledTask, now: number): OverdueTask | null {
  const dueBy = successDeadline(task, now);
  if (dueBy === null || now <= dueBy) return null;
  const success = task.stats?.lastSuccess ?? null;
  return {
    task: task.name,
    group: task.group,
    lastSucceededAt: success === null ? null : new Date(success.at),
    dueBy: new Date(dueBy),
    within: task.critical!.within,
  };
}

/**
 * The second fire time after `since`. Remembered per task until `since` or the trigger changes:
 * a health probe every few seconds would otherwise ask each critical Cron the same question.
 */
const secondFires = new WeakMap<
  ScheduledTask,
  { since: number; trigger: BaseTrigger; at: number | null }
>();

function secondFireAfter(task: ScheduledTask, since: number): number | null {
  const known = secondFires.get(task);
  if (known?.since === since && known.trigger === task.trigger) return known.at;
  const [, second] = upcomingFireTimes(
    {
      trigger: task.trigger,
      state: stateFrom(task.triggerState, since),
      plannedAt: null,
      startMs: since,
      notBefore: task.notBefore,
    },
    since,
    2,
  );
  const at = second ?? null;
  secondFires.set(task, { since, trigger: task.trigger, at });
  return at;
}

/** Critical tasks overdue at `now`, but those `notHere` says another replica runs. */
export function listOverdue(
  tasks: Iterable<ScheduledTask>,
  now: number,
  notHere: (task: ScheduledTask) => boolean | undefined,
): OverdueTask[] {
  const overdue: OverdueTask[] = [];
  for (const task of tasks) {
    if (task.critical === null || notHere(task)) continue;
    const entry = overdueAt(task, now);
    if (entry !== null) overdue.push(entry);
  }
  return overdue;
}

/**
 * A copy of `state` as it would have been at `since`: no fire remembered after it, no remembered
 * plans, the budget unspent (the live state said it can still fire).
 */
function stateFrom(state: TriggerState, since: number): TriggerState {
  const copy: TriggerState = {
    ...structuredClone(state),
    loopCount: 0,
    lastFireAt: state.lastFireAt === null ? null : Math.min(state.lastFireAt, since),
  };
  if (state.children) {
    copy.children = state.children.map((child) => ({
      state: stateFrom(child.state, since),
      dueAt: null,
      plannedFrom: null,
    }));
  }
  return copy;
}

function safely(call: () => boolean): boolean {
  try {
    return call();
  } catch {
    return false;
  }
}
