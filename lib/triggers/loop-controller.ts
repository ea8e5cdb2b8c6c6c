import { TriggerValidationError } from '../errors.js';
import { BaseTrigger } from './base.trigger.js';

/** A trigger with a loop budget: after `maxLoopCount` fires it stops (absent means unlimited). */
export abstract class LoopController extends BaseTrigger {
  readonly maxLoopCount: number | undefined;
  /** Fires so far; counted when the trigger fires, before the method runs, so failed runs count. */
  loopCount = 0;

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

  override shouldTrigger(): boolean {
    return this.maxLoopCount === undefined || this.loopCount < this.maxLoopCount;
  }

  override recordFire(_scheduledAt: Date): void {
    this.loopCount++;
  }

  /** The loop budget fields every description shares. */
  protected describeLoop(): { maxLoopCount: number | null; loopCount: number } {
    return { maxLoopCount: this.maxLoopCount ?? null, loopCount: this.loopCount };
  }
}
