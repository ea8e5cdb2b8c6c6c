import { messages } from '../errors.js';
import { describeError } from './run-record.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { PendingClaim, TickClaimerDeps } from './tick-claimer.js';

/** Missed ticks of one task that catch-up claims at most (the newest). */
const MAX_CATCH_UP = 100;
/** Fire times it steps through at most to find them (a secondly cron down for about 3 hours). */
const MAX_CATCH_UP_STEPS = 10_000;

/** Where catch-up reads the store's high-water marks, and reports a failed read. */
export type CatchUpDeps = Pick<TickClaimerDeps, 'cluster' | 'contact' | 'logger'>;

/**
 * Cluster mode: the ticks of deterministic schedules that nobody claimed (every replica was down,
 * or the store could not be reached), from each task's high-water mark in the store up to now,
 * oldest first; at most the newest MAX_CATCH_UP of a task. Each task's `claimedUpTo` takes the
 * store's mark. Empty when the store cannot be read (logged: nothing is caught up).
 */
export async function missedTicks(
  tasks: Iterable<ScheduledTask>,
  now: number,
  { cluster, contact, logger }: CatchUpDeps,
): Promise<PendingClaim[]> {
  const candidates = [...tasks].filter(
    (task) => task.phase === 'scheduled' && !task.paused && task.clusterMode === 'claimed',
  );
  if (candidates.length === 0) return [];
  let lasts: (number | null)[];
  try {
    lasts = await cluster.coordinator.lastTicks(candidates.map((task) => task.id));
  } catch (error) {
    contact.failed();
    logger.error(messages.storeUnreachable(cluster.coordinator.kind, describeError(error).message));
    return [];
  }
  const missed: PendingClaim[] = [];
  candidates.forEach((task, index) => {
    const highWater = lasts[index];
    if (highWater != null) task.claimedUpTo = Math.max(task.claimedUpTo ?? highWater, highWater);
    // A task never claimed that counts from an anchor catches up from the anchor on (the
    // replica that proposed it went down before claiming); up to the tick planned here.
    const { anchorAt } = task.triggerState;
    const last = lasts[index] ?? (anchorAt === undefined ? null : anchorAt - 1);
    if (last === null) return;
    const planned = task.plannedAt;
    const ticks = ticksBetween(task, last, planned === null ? now : Math.min(now, planned - 1));
    for (const scheduledAt of ticks) missed.push({ task, scheduledAt, dueAt: scheduledAt });
  });
  return missed;
}

/** The task's nominal fire times after `after` and at or before `until`, the newest few. */
export function ticksBetween(task: ScheduledTask, after: number, until: number): number[] {
  const { trigger } = task;
  // A copy of the task's state from the high-water mark on: planning ahead must not change it.
  const scratch = { ...structuredClone(task.triggerState), lastFireAt: after };
  const ticks: number[] = [];
  let cursor = after;
  for (let step = 0; step < MAX_CATCH_UP_STEPS && trigger.canFire(scratch); step++) {
    const wait = trigger.nextWait(scratch, cursor);
    if (wait === null || cursor + wait > until) break;
    cursor += wait;
    trigger.advance(scratch, cursor);
    ticks.push(cursor);
    if (ticks.length > MAX_CATCH_UP) ticks.shift();
  }
  return ticks;
}
