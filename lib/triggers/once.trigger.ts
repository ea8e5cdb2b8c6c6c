import { LoopController } from './loop-controller.js';
import type { TriggerDescription } from './base.trigger.js';

/** Fires once, immediately after the scheduler starts. */
export class Once extends LoopController {
  constructor() {
    super('Once', 1);
  }

  override get anchoredToRunEnd(): boolean {
    return false;
  }

  getWaitingTimeTillNextTrigger(_now?: Date): number | null {
    return this.shouldTrigger() ? 0 : null;
  }

  describe(): TriggerDescription {
    return { type: 'Once', ...this.describeLoop() };
  }
}
