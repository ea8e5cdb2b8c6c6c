import { LoopController } from './loop-controller.js';
import type { TriggerDescription, TriggerPhase } from './base.trigger.js';

/** Runs once when the application stops, after the scheduled tasks have been drained. */
export class OnShutDown extends LoopController {
  constructor() {
    super('OnShutDown', 1);
  }

  override get phase(): TriggerPhase {
    return 'shutdown';
  }

  getWaitingTimeTillNextTrigger(_now?: Date): number | null {
    return this.shouldTrigger() ? 0 : null;
  }

  describe(): TriggerDescription {
    return { type: 'OnShutDown', ...this.describeLoop() };
  }
}
