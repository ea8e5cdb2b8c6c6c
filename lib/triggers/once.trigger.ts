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

  nextWait(): number {
    return 0;
  }

  describe(): TriggerDescription {
    return { type: 'Once', ...this.describeLoop() };
  }
}
