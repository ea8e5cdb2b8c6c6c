/**
 * The part of Luxon's `DateTime` that code written for the `cron` package calls on
 * `job.nextDate()` and `job.lastDate()`-style values; this layer has no Luxon.
 */
export interface CronDateTime {
  toJSDate(): Date;
  toMillis(): number;
  toISO(): string;
  toString(): string;
  valueOf(): number;
}

/** A CronDateTime for an instant (epoch ms). */
export function cronDateTime(ms: number): CronDateTime {
  return {
    toJSDate: () => new Date(ms),
    toMillis: () => ms,
    toISO: () => new Date(ms).toISOString(),
    toString: () => new Date(ms).toISOString(),
    valueOf: () => ms,
  };
}
