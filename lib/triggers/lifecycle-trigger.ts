import { LoopController } from './loop-controller.js';
import type { TriggerDescription, TriggerPhase } from './base.trigger.js';

/** A trigger that fires once, outside the schedule, at a point of the application's life. */
export abstract class LifecycleTrigger extends LoopController {
  constructor(
    private readonly type: 'OnStartUp' | 'OnShutDown',
    private readonly lifecyclePhase: Exclude<TriggerPhase, 'scheduled'>,
  ) {
    super(type, 1);
  }

  override get phase(): TriggerPhase {
    return this.lifecyclePhase;
  }

  nextWait(): number {
    return 0;
  }

  describe(): TriggerDescription {
    return { type: this.type, ...this.describeLoop() };
  }
}
