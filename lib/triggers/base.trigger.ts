import { abortableSleep } from '../utils/abortable-sleep.js';

/** A JSON-safe value, as returned by `describe()` and shown in task metadata. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The JSON-safe description of a trigger, e.g. `{ type: 'Every', seconds: 5 }`. */
export interface TriggerDescription {
  type: string;
  [field: string]: JsonValue;
}

/** When in the application's life a trigger's task runs. */
export type TriggerPhase = 'startup' | 'scheduled' | 'shutdown';

/** Module-wide values a trigger falls back to when it was not given its own. */
export interface TriggerDefaults {
  timeZone?: string;
}

/**
 * The contract every trigger honours. Time maths is pure: given an instant, a trigger says how
 * long until it fires next, without side effects. Only `recordFire` changes state (the loop count
 * and anything a schedule remembers), so the runner, tests and, later, a cluster of replicas can
 * all ask the same question and get the same answer.
 */
export abstract class BaseTrigger {
  /** The next planned fire time in epoch ms while the task is scheduled; null when none is planned. */
  expectedTriggerMs: number | null = null;

  /** The next planned fire time while the task is scheduled; null when none is planned. */
  get expectedTriggerTime(): Date | null {
    return this.expectedTriggerMs === null ? null : new Date(this.expectedTriggerMs);
  }

  set expectedTriggerTime(value: Date | null) {
    this.expectedTriggerMs = value === null ? null : value.getTime();
  }

  /** Milliseconds from `now` until the next fire time, or null when it will never fire again. */
  abstract getWaitingTimeTillNextTrigger(now?: Date): number | null;

  /** A JSON-safe description for metadata and logs. */
  abstract describe(): TriggerDescription;

  /** Whether the trigger may fire again (false once its loop budget is spent). */
  shouldTrigger(): boolean {
    return true;
  }

  /** Records that the trigger fired at `scheduledAt`; called before the task's method runs. */
  recordFire(_scheduledAt: Date): void {}

  /** Startup and shutdown triggers run outside the schedule; everything else is 'scheduled'. */
  get phase(): TriggerPhase {
    return 'scheduled';
  }

  /**
   * True when the next fire time is measured from the end of the previous run (a fixed delay, as
   * aioclock's Every); false for calendar schedules, whose fire times do not depend on runs.
   */
  get anchoredToRunEnd(): boolean {
    return true;
  }

  /** Receives module defaults at bootstrap; throws TriggerValidationError if they do not fit. */
  applyDefaults(_defaults: TriggerDefaults): void {}

  /**
   * Waits for the next fire time and counts one loop (aioclock's `trigger_next`), for code that
   * drives a trigger by hand. The module's runner schedules through its timer queue instead.
   */
  async triggerNext(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const wait = this.getWaitingTimeTillNextTrigger(new Date(now));
    if (wait === null) throw new Error(`${this.describe().type} will not fire again`);
    const fireAt = new Date(now + wait);
    this.expectedTriggerTime = fireAt;
    await abortableSleep(wait, signal);
    this.recordFire(fireAt);
  }
}
