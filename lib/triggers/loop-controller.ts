import { triggerError } from '../errors.js';
import { checkInteger } from '../utils/validation.js';
import { BaseTrigger } from './base.trigger.js';
import type { TriggerState } from './trigger-state.js';

/** A trigger with a loop budget: after `maxLoopCount` fires it stops (absent means unlimited). */
export abstract class LoopController extends BaseTrigger {
  readonly maxLoopCount: number | undefined;

  constructor(triggerName: string, maxLoopCount?: number) {
    super();
    this.maxLoopCount =
      maxLoopCount === undefined
        ? undefined
        : checkInteger(triggerError(triggerName), 'maxLoopCount', maxLoopCount, { min: 1 });
  }

  override canFire(state: TriggerState): boolean {
    return this.maxLoopCount === undefined || state.loopCount < this.maxLoopCount;
  }

  /** Fires counted so far when driven by hand (a scheduler counts in its own state). */
  get loopCount(): number {
    return this.handState.loopCount;
  }

  /** The loop budget field every description shares. */
  protected describeLoop(): { maxLoopCount: number | null } {
    return { maxLoopCount: this.maxLoopCount ?? null };
  }
}
