import type { TriggerDescription } from './base.trigger.js';
import { CalendarTrigger } from './calendar-trigger.js';
import { assertIntegerInRange, assertKnownKeys, assertOneOf } from './trigger-validation.js';
import { instantOfWallMs, wallClockOf } from './zoned-time.js';

/** The days on which `At` fires: every day, or one weekday. */
export type AtSchedule =
  | 'every day'
  | 'every sunday'
  | 'every monday'
  | 'every tuesday'
  | 'every wednesday'
  | 'every thursday'
  | 'every friday'
  | 'every saturday';

/** Options of `At`; the time defaults to 00:00:00 and the zone to the module's, else the system's. */
export interface AtOptions {
  /** 'every day' (default) or 'every monday' ... 'every sunday'. */
  at?: AtSchedule;
  hour?: number;
  minute?: number;
  second?: number;
  /** An IANA time zone such as 'Europe/Berlin'. */
  tz?: string;
  maxLoopCount?: number;
}

// Weekday schedules in JavaScript's order, so that the index is Date#getDay() (0 = Sunday).
const WEEKDAY_SCHEDULES = [
  'every sunday',
  'every monday',
  'every tuesday',
  'every wednesday',
  'every thursday',
  'every friday',
  'every saturday',
] as const;
const SCHEDULES: readonly AtSchedule[] = ['every day', ...WEEKDAY_SCHEDULES];
const KEYS = ['at', 'hour', 'minute', 'second', 'tz', 'maxLoopCount'] as const;

/** Fires at a wall-clock time in a time zone, every day or on one weekday. */
export class At extends CalendarTrigger {
  readonly at: AtSchedule;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 (Sunday) to 6, or null for every day. */
  private readonly weekday: number | null;

  constructor(options: AtOptions = {}) {
    assertKnownKeys('At', options, KEYS);
    super('At', options?.tz, options?.maxLoopCount);
    const { at = 'every day', hour = 0, minute = 0, second = 0 } = options;
    assertOneOf('At', 'at', at, SCHEDULES);
    assertIntegerInRange('At', 'hour', hour, 0, 23);
    assertIntegerInRange('At', 'minute', minute, 0, 59);
    assertIntegerInRange('At', 'second', second, 0, 59);
    this.at = at;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.weekday = at === 'every day' ? null : WEEKDAY_SCHEDULES.indexOf(at);
  }

  describe(): TriggerDescription {
    return {
      type: 'At',
      at: this.at,
      hour: this.hour,
      minute: this.minute,
      second: this.second,
      tz: this.tz ?? null,
      ...this.describeLoop(),
    };
  }

  /** The first fire time at or after `nowMs` that is not the one already fired. */
  protected nextFireAt(zone: string, lastFireAt: number | null, nowMs: number): number {
    const from = lastFireAt !== null && lastFireAt >= nowMs ? lastFireAt + 1 : nowMs;
    const today = wallClockOf(from, zone);
    const step = this.weekday === null ? 1 : 7;
    const days = this.weekday === null ? 0 : (this.weekday - today.weekday + 7) % 7;
    // Any later local date maps to an instant after `from`, so one step past it is enough, and
    // one more when that date is one the zone skipped (null): zones never skip two in a row.
    for (let day = today.day + days; ; day += step) {
      const at = this.instantOn(zone, today.year, today.month, day);
      if (at !== null && at >= from) return at;
    }
  }

  /** The fire instant on a local date, null if the zone skipped it; Date.UTC carries day overflow. */
  private instantOn(zone: string, year: number, month: number, day: number): number | null {
    const wallMs = Date.UTC(year, month - 1, day, this.hour, this.minute, this.second);
    return instantOfWallMs(wallMs, zone);
  }
}
