import type { ResolvedPolicies } from './task-policies.js';

/** What to do with a fire time that has come. */
export type FireDecision =
  { action: 'run' } | { action: 'queue' } | { action: 'missed' | 'skipped'; why: string };

const RUN: FireDecision = { action: 'run' };
const QUEUE: FireDecision = { action: 'queue' };
const OVERLAP: FireDecision = { action: 'skipped', why: 'the previous run is still going' };

/** The state of a task that its fire decision depends on. */
export interface FireState {
  /** How late the wake-up came after its due time, in ms. */
  lateness: number;
  activeRuns: number;
  /** Whether a fire time is already held back by the 'queue' policy. */
  hasQueuedFire: boolean;
}

/**
 * Applies the catch-up window, the misfire policy and the overlap policy, in that order, to a fire
 * time that has come. Pure, so every replica of a cluster reaches the same decision.
 */
export function decideFire(
  policies: Pick<ResolvedPolicies, 'catchUpWindow' | 'misfire' | 'overlap'>,
  misfireThreshold: number,
  { lateness, activeRuns, hasQueuedFire }: FireState,
): FireDecision {
  const { catchUpWindow, misfire, overlap } = policies;
  if (catchUpWindow !== null && lateness > catchUpWindow) {
    return { action: 'missed', why: `${lateness} ms late, beyond the catch-up window` };
  }
  if (lateness > misfireThreshold && misfire === 'skip') {
    return { action: 'missed', why: `${lateness} ms late and the misfire policy is 'skip'` };
  }
  if (activeRuns === 0 || overlap === 'allow') return RUN;
  return overlap === 'queue' && !hasQueuedFire ? QUEUE : OVERLAP;
}
