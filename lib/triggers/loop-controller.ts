import { TriggerValidationError } from '../errors.js';
import { BaseTrigger } from './base.trigger.js';
import type { TriggerState } from './trigger-state.js';

/** A trigger with a loop budget: after `maxLoopCount` fires it stops (absent means unlimited). */
export abstract class LoopController extends BaseTrigger {
  readonly maxLoopCount: number | undefined;

  constructor(triggerName: string, maxLoopCount?: number) {
    super();
    if (
      maxLoopCount !== undefined &&
      !(typeof maxLoopCount === 'number' && Number.isInteger(maxLoopCount) && maxLoopCount > 0)
    ) {
      throw new TriggerValidationError(
        triggerName,
        'maxLoopCount',
        `must be a positive integer or absent, got ${String(maxLoopCount)}`,
      );
    }
    this.maxLoopCount = maxLoopCount;
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
