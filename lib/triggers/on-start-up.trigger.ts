import { LoopController } from './loop-controller.js';
import type { TriggerDescription, TriggerPhase } from './base.trigger.js';

/** Runs once when the application starts, to completion, before any scheduled task. */
export class OnStartUp extends LoopController {
  constructor() {
    super('OnStartUp', 1);
  }

  override get phase(): TriggerPhase {
    return 'startup';
  }

  getWaitingTimeTillNextTrigger(_now?: Date): number | null {
    return this.shouldTrigger() ? 0 : null;
  }

  describe(): TriggerDescription {
    return { type: 'OnStartUp', ...this.describeLoop() };
  }
}
