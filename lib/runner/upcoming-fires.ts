import type { BaseTrigger } from '../triggers/base.trigger.js';
import type { TriggerState } from '../triggers/trigger-state.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerState } from './scheduler-status.js';

/** Where a task's schedule stands, for a look ahead. */
export interface FireCursor {
  trigger: BaseTrigger;
  /** A copy of the task's trigger state: the look ahead changes it, and must never touch the live one. */
  state: TriggerState;
  /** The nominal time of the wake-up already queued, or null to plan one from `startMs`. */
  plannedAt: number | null;
  /** The instant to plan from when nothing is queued: now, or when the scheduler would start. */
  startMs: number;
  /** No fire before this (the task's initial delay); 0 when none. */
  notBefore: number;
}

/**
 * Fires before `from` that are stepped through one by one (each counts against the loop budget).
 * Past this, the look ahead jumps to `from` as a resumed task would, so that asking about next
 * year of a per-second schedule costs milliseconds, not minutes.
 */
export const MAX_STEPS_BEFORE_FROM = 1_000;

/** The latest instant a Date can hold. */
const MAX_DATE_MS = 8.64e15;

/**
 * The next `count` nominal fire times (epoch ms) at or after `fromMs`, found by driving the
 * trigger on the cursor's state exactly as the FirePlanner would, with two assumptions: a run
 * takes no time (triggers anchored to run end plan from the fire time), and no jitter. A trigger
 * that fires back to back (Forever, Every of 0) has no times to tell: the answer is empty.
 * A trigger that throws or answers nonsense ends the list there, as it ends the live schedule.
 */
export function upcomingFireTimes(cursor: FireCursor, fromMs: number, count: number): number[] {
  const { trigger, state } = cursor;
  const times: number[] = [];
  try {
    let next =
      cursor.plannedAt ?? planFrom(trigger, state, Math.max(cursor.startMs, cursor.notBefore));
    let stepsBeforeFrom = 0;
    while (next !== null && times.length < count) {
      if (next < fromMs && ++stepsBeforeFrom > MAX_STEPS_BEFORE_FROM) {
        trigger.restart(state);
        next = planFrom(trigger, state, Math.max(fromMs, cursor.notBefore));
        stepsBeforeFrom = -Infinity; // jumped once; what follows is at or after `from`
        continue;
      }
      trigger.advance(state, next);
      if (next >= fromMs) times.push(next);
      const after = planFrom(trigger, state, next);
      if (after === next && trigger.anchoredToRunEnd) return [];
      next = after;
    }
  } catch {
    // A broken trigger: the times found so far are the ones the task will fire at.
  }
  return times;
}

/**
 * The next `count` nominal fire times of a task at or after `fromMs`, computed on a copy of its
 * trigger state. None while it is paused, for startup and shutdown tasks, and once the scheduler
 * stops; before the scheduler starts (or with `enabled: false`), the times it would give if it
 * started at `fromMs` (or now, if later).
 */
export function upcomingOfTask(
  task: ScheduledTask,
  schedulerState: SchedulerState,
  fromMs: number,
  count: number,
): number[] {
  if (task.phase !== 'scheduled' || task.paused) return [];
  if (schedulerState === 'stopping' || schedulerState === 'stopped') return [];
  const running = schedulerState === 'running';
  const now = Date.now();
  const startMs = running ? now : Math.max(now, fromMs);
  const cursor: FireCursor = {
    trigger: task.trigger,
    state: structuredClone(task.triggerState),
    // While a run is awaited (a fixed delay), nothing is queued: the estimate is that it ends now.
    plannedAt: running ? task.plannedAt : null,
    startMs,
    notBefore: running ? task.notBefore : startMs + task.initialDelay,
  };
  return upcomingFireTimes(cursor, fromMs, count);
}

/** The trigger's next fire time from `fromMs` in `state`, or null when it will not fire again. */
function planFrom(trigger: BaseTrigger, state: TriggerState, fromMs: number): number | null {
  if (!trigger.canFire(state)) return null;
  const wait = trigger.nextWait(state, fromMs);
  if (typeof wait !== 'number' || !(wait >= 0) || fromMs + wait > MAX_DATE_MS) return null;
  return fromMs + wait;
}
