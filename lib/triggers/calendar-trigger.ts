import type { TriggerDefaults, TriggerState } from './trigger-state.js';
import { LoopController } from './loop-controller.js';
import { assertTimeZone } from './trigger-validation.js';
import { systemTimeZone } from './zoned-time.js';

/**
 * Base of triggers that fire at wall-clock times in a time zone (At, Cron): their fire times do
 * not depend on runs, they take the module's zone when given none, and never repeat a fire time.
 */
export abstract class CalendarTrigger extends LoopController {
  /** The IANA zone given to this trigger; undefined: the module's, else the system's. */
  readonly tz: string | undefined;

  constructor(triggerName: string, tz: string | undefined, maxLoopCount: number | undefined) {
    super(triggerName, maxLoopCount);
    this.tz = tz === undefined ? undefined : assertTimeZone(triggerName, tz);
  }

  override get anchoredToRunEnd(): boolean {
    return false;
  }

  override get followsWallClock(): boolean {
    return true;
  }

  override get deterministic(): boolean {
    return true;
  }

  override createState(defaults: TriggerDefaults = {}): TriggerState {
    const state = super.createState(defaults);
    if (this.tz !== undefined) state.zone = this.tz;
    else if (defaults.timeZone === undefined) state.zone = systemTimeZone();
    else {
      const name = this.describe().type;
      state.zone = assertTimeZone(name, defaults.timeZone, " (the module's timeZone)");
    }
    return state;
  }

  nextWait(state: TriggerState, nowMs: number): number | null {
    const next = this.nextFireAt(state.zone!, state.lastFireAt, nowMs, state.seed);
    return next === null ? null : next - nowMs;
  }

  /**
   * The next fire instant (epoch ms) in `zone` from `nowMs` on, never `lastFireAt` again; null
   * when there is none. `seed`: the state's (see TriggerState.seed), for a trigger that uses one.
   */
  protected abstract nextFireAt(
    zone: string,
    lastFireAt: number | null,
    nowMs: number,
    seed?: string,
  ): number | null;
}
