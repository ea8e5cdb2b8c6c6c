import type { TriggerDescription } from '../triggers/base.trigger.js';
import { LoopController } from '../triggers/loop-controller.js';
import type { TriggerState } from '../triggers/trigger-state.js';
import { triggerError } from '../errors.js';
import { checkInstance } from '../utils/validation.js';

/**
 * Fires once, at a given instant: the layer's form of a cron job whose time is a `Date`. A date
 * already past when planned never fires, as with the `cron` package.
 */
export class OnDate extends LoopController {
  readonly at: Date;

  constructor(at: Date) {
    super('OnDate', 1);
    this.at = checkInstance(triggerError('OnDate'), 'at', at, Date);
  }

  override get anchoredToRunEnd(): boolean {
    return false;
  }

  override get followsWallClock(): boolean {
    return true;
  }

  nextWait(_state: TriggerState, nowMs: number): number | null {
    const wait = this.at.getTime() - nowMs;
    return wait >= 0 ? wait : null;
  }

  describe(): TriggerDescription {
    return { type: 'OnDate', at: this.at.toISOString(), ...this.describeLoop() };
  }
}
