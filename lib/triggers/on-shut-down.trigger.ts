import { LifecycleTrigger } from './lifecycle-trigger.js';

/** Runs once when the application stops, after the scheduled tasks have been drained. */
export class OnShutDown extends LifecycleTrigger {
  constructor() {
    super('OnShutDown', 'shutdown');
  }
}
