import { LifecycleTrigger } from './lifecycle-trigger.js';

/** Runs once when the application starts, to completion, before any scheduled task. */
export class OnStartUp extends LifecycleTrigger {
  constructor() {
    super('OnStartUp', 'startup');
  }
}
