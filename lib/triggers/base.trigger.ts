import { abortableSleep } from '../utils/abortable-sleep.js';
import type { AnchorRequest, TriggerDefaults, TriggerState } from './trigger-state.js';

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

/**
 * An immutable description of a schedule. What changes while it drives a task (loop count, last
 * fire time, zone, remembered plans) is a `TriggerState` that the caller owns: each scheduler keeps
 * one per task, so a trigger shared by two apps (or testing modules) never mixes their runs.
 *
 * Implement `nextWait` (and `describe`); it must be a function of the state and the instant only.
 * The aioclock-style methods (`triggerNext`, `shouldTrigger`, `getWaitingTimeTillNextTrigger`,
 * `recordFire`) drive the trigger by hand on a state of its own, never on a scheduler's.
 */
export abstract class BaseTrigger {
  /** The state used when the trigger is driven by hand; made on first use. */
  private hand: { state: TriggerState; plannedAt: number | null } | null = null;

  /** A JSON-safe description of the schedule, for metadata, logs and (later) other replicas. */
  abstract describe(): TriggerDescription;

  /**
   * Milliseconds from `nowMs` (epoch ms) until the next fire in `state`, or null when it will
   * never fire again. Called only while `canFire(state)`. Must not depend on anything but its
   * arguments and the trigger's own (immutable) options.
   */
  abstract nextWait(state: TriggerState, nowMs: number): number | null;

  /** Whether the trigger may fire again in `state` (false once its loop budget is spent). */
  canFire(_state: TriggerState): boolean {
    return true;
  }

  /** Records in `state` a fire at its nominal time `scheduledAtMs`, before the method runs. */
  advance(state: TriggerState, scheduledAtMs: number): void {
    state.loopCount++;
    state.lastFireAt = scheduledAtMs;
  }

  /**
   * A fresh state for one task; `defaults` are the module's (a zone for wall-clock triggers).
   * Throws TriggerValidationError when a default does not fit.
   */
  createState(_defaults: TriggerDefaults = {}): TriggerState {
    return { loopCount: 0, lastFireAt: null };
  }

  /**
   * Forgets the fire times `state` remembers, so the next one is planned from the instant asked
   * about. The scheduler calls it when a task is resumed; a trigger that remembers plans
   * overrides it (see OrTrigger).
   */
  restart(_state: TriggerState): void {}

  /** Startup and shutdown triggers run outside the schedule; everything else is 'scheduled'. */
  get phase(): TriggerPhase {
    return 'scheduled';
  }

  /**
   * True when the next fire time is measured from the end of the previous run (a fixed delay, as
   * aioclock's Every); false for schedules whose fire times do not depend on runs.
   */
  get anchoredToRunEnd(): boolean {
    return true;
  }

  /**
   * True when fire times are wall-clock times (At, Cron): if the system clock is set back, the
   * scheduler waits for the wall clock to reach them instead of firing early.
   */
  get followsWallClock(): boolean {
    return false;
  }

  /**
   * True when the nominal fire times are the same on every replica that runs the trigger: a pure
   * function of the definition, the wall clock and the anchor the replicas agreed on (At, Cron,
   * fixed-rate Every, Once), not of when a process started or a run ended. A cluster claims such
   * ticks one by one; a custom trigger may say so too.
   */
  get deterministic(): boolean {
    return false;
  }

  /**
   * The instants this trigger would count its fire times from if it started at `nowMs`: one per
   * part that counts from an instant of its own (fixed-rate Every, Once, such children of an
   * OrTrigger), none for the others. A cluster keeps the first proposal any replica made per task
   * and schedule, and hands the kept ones to `setAnchors` before planning, so that every replica
   * plans the same nominal times. Without a cluster nobody asks, and nothing changes.
   */
  proposeAnchors(_state: TriggerState, _nowMs: number): AnchorRequest[] {
    return [];
  }

  /** Puts into `state` the anchors agreed for the proposals of `proposeAnchors`, in their order. */
  setAnchors(_state: TriggerState, _anchors: readonly number[]): void {}

  /** The one proposal of a trigger that counts from an instant of its own. */
  protected anchorRequest(proposedAt: number): AnchorRequest {
    return { schedule: JSON.stringify(this.describe()), proposedAt: Math.round(proposedAt) };
  }

  /** This trigger and the triggers it is made of (OrTrigger's children), each of which belongs to one task. */
  components(): BaseTrigger[] {
    return [this];
  }

  /** The state of this trigger when driven by hand. */
  protected get handState(): TriggerState {
    this.hand ??= { state: this.createState(), plannedAt: null };
    return this.hand.state;
  }

  /** Whether the trigger, driven by hand, may fire again (aioclock's `should_trigger`). */
  shouldTrigger(): boolean {
    return this.canFire(this.handState);
  }

  /** Milliseconds from `now` until the next fire when driven by hand, or null when it will not fire again. */
  getWaitingTimeTillNextTrigger(now: Date = new Date()): number | null {
    const state = this.handState;
    return this.canFire(state) ? this.nextWait(state, now.getTime()) : null;
  }

  /** Records a fire at `scheduledAt` in the hand-driven state. */
  recordFire(scheduledAt: Date): void {
    this.advance(this.handState, scheduledAt.getTime());
  }

  /** Forgets remembered plans of the hand-driven state. */
  restartSchedule(): void {
    this.restart(this.handState);
  }

  /** The fire time `triggerNext` is waiting for; null when it is not waiting. */
  get expectedTriggerTime(): Date | null {
    const plannedAt = this.hand?.plannedAt ?? null;
    return plannedAt === null ? null : new Date(plannedAt);
  }

  /**
   * Waits for the next fire time and counts one loop (aioclock's `trigger_next`), for code that
   * drives a trigger by hand. The module's scheduler never calls it.
   */
  async triggerNext(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const wait = this.getWaitingTimeTillNextTrigger(new Date(now));
    if (wait === null) throw new Error(`${this.describe().type} will not fire again`);
    const hand = this.hand!;
    hand.plannedAt = now + wait;
    try {
      await abortableSleep(wait, signal);
    } finally {
      hand.plannedAt = null;
    }
    this.advance(hand.state, now + wait);
  }
}
