import type { TriggerDefaults } from './base.trigger.js';
import { LoopController } from './loop-controller.js';
import { assertTimeZone } from './trigger-validation.js';
import { systemTimeZone } from './zoned-time.js';

/**
 * Base of triggers that fire at wall-clock times in a time zone (At, Cron): their fire times do
 * not depend on runs, they take the module's zone when given none, and never repeat a fire time.
 */
export abstract class CalendarTrigger extends LoopController {
  protected zone: string;
  private readonly zoneGiven: boolean;
  /** The last fire time recorded, which must never be returned again. */
  protected lastFiredAt: number | null = null;

  constructor(triggerName: string, tz: string | undefined, maxLoopCount: number | undefined) {
    super(triggerName, maxLoopCount);
    this.zoneGiven = tz !== undefined;
    this.zone = tz === undefined ? systemTimeZone() : assertTimeZone(triggerName, tz);
  }

  /** The IANA zone the wall-clock times are read in. */
  get tz(): string {
    return this.zone;
  }

  override get anchoredToRunEnd(): boolean {
    return false;
  }

  override applyDefaults(defaults: TriggerDefaults): void {
    if (this.zoneGiven || defaults.timeZone === undefined) return;
    const name = this.describe().type;
    this.zone = assertTimeZone(name, defaults.timeZone, " (the module's timeZone)");
  }

  getWaitingTimeTillNextTrigger(now: Date = new Date()): number | null {
    if (!this.shouldTrigger()) return null;
    const nowMs = now.getTime();
    const next = this.nextFireAt(nowMs);
    return next === null ? null : next - nowMs;
  }

  override recordFire(scheduledAt: Date): void {
    super.recordFire(scheduledAt);
    this.lastFiredAt = scheduledAt.getTime();
  }

  /** The next fire instant (epoch ms) from `nowMs` on, never the one last recorded; null: none. */
  protected abstract nextFireAt(nowMs: number): number | null;
}
