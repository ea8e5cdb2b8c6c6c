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

/** The scheduler's side of a trigger it drives: a task, which knows the pending fire time. */
export interface TriggerOwner {
  readonly name: string;
  /** The planned time (epoch ms) of the task's pending fire, or null while none is planned. */
  readonly plannedAt: number | null;
}

/**
 * Planned times of triggers driven by hand (`triggerNext`). That is rare, so it lives here rather
 * than in a field that every trigger of a 100,000-task scheduler would carry.
 */
const plannedByHand = new WeakMap<BaseTrigger, number>();

/**
 * The contract every trigger honours. Time maths is pure: given an instant, a trigger says how
 * long until it fires next, without side effects. Only `recordFire` changes state (the loop count
 * and anything a schedule remembers), so the runner, tests and, later, a cluster of replicas can
 * all ask the same question and get the same answer.
 */
export abstract class BaseTrigger {
  /**
   * The task that drives this trigger, set by the scheduler that registers it. It answers for the
   * planned fire time (one source of truth), and it marks the trigger as taken.
   */
  private driver: TriggerOwner | null = null;

  /** The task that drives this trigger, or null. */
  get owner(): TriggerOwner | null {
    return this.driver;
  }

  /** Called by the scheduler that registers the trigger for `owner`; the newest one owns it. */
  attach(owner: TriggerOwner): void {
    this.driver = owner;
  }

  /** Called by the scheduler when `owner` lets the trigger go (the task took another trigger). */
  detach(owner: TriggerOwner): void {
    if (this.driver === owner) this.driver = null;
  }

  /** The next planned fire time in epoch ms while the task is scheduled; null when none is planned. */
  get expectedTriggerMs(): number | null {
    if (this.driver !== null) return this.driver.plannedAt;
    return plannedByHand.get(this) ?? null;
  }

  set expectedTriggerMs(value: number | null) {
    if (this.driver !== null) {
      throw new Error(
        `The fire times of task "${this.driver.name}" are planned by its scheduler, not set by hand`,
      );
    }
    if (value === null) plannedByHand.delete(this);
    else plannedByHand.set(this, value);
  }

  /** The next planned fire time while the task is scheduled; null when none is planned. */
  get expectedTriggerTime(): Date | null {
    const ms = this.expectedTriggerMs;
    return ms === null ? null : new Date(ms);
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

  /**
   * Forgets fire times the trigger remembered, so that the next one is planned from the instant
   * asked about. The scheduler calls it when a task is resumed or given this trigger; a custom
   * trigger that remembers plans overrides it (see OrTrigger).
   */
  restartSchedule(): void {}

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
