import { BaseTrigger, type TriggerDescription } from './base.trigger.js';

/**
 * Runs back-to-back for as long as the scheduler lives. The runner yields to the event loop
 * between runs (a macrotask turn), so other tasks, timers and I/O go on.
 */
export class Forever extends BaseTrigger {
  nextWait(): number {
    return 0;
  }

  describe(): TriggerDescription {
    return { type: 'Forever' };
  }
}
