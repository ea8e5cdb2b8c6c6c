import type { TriggerDescription } from '../triggers/base.trigger.js';
import { BaseTrigger } from '../triggers/base.trigger.js';

/**
 * The trigger of an `@Interval` or `@Timeout` task: its clock is the Node timer that the
 * SchedulerRegistry holds (as `@nestjs/schedule` holds it, so code that clears it stops the task),
 * and each tick fires the task through the scheduler. The scheduler itself plans nothing for it.
 */
export class NodeTimerTrigger extends BaseTrigger {
  constructor(
    readonly kind: 'interval' | 'timeout',
    readonly ms: number,
  ) {
    super();
  }

  override get anchoredToRunEnd(): boolean {
    return false;
  }

  nextWait(): null {
    return null;
  }

  describe(): TriggerDescription {
    return { type: this.kind === 'interval' ? 'Interval' : 'Timeout', ms: this.ms };
  }
}
