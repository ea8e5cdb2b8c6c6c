import { offsetOf } from '../triggers/zoned-time.js';

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

/** A CronDateTime for an instant (epoch ms), written in `zone` as Luxon writes it. */
export function cronDateTime(ms: number, zone: string): CronDateTime {
  const iso = () => isoInZone(ms, zone);
  return {
    toJSDate: () => new Date(ms),
    toMillis: () => ms,
    toISO: iso,
    toString: iso,
    valueOf: () => ms,
  };
}

/** `2026-01-01T09:00:00.000-05:00`: the wall clock in `zone`, with its offset. */
function isoInZone(ms: number, zone: string): string {
  const offset = offsetOf(ms, zone);
  const minutes = Math.abs(offset) / 60_000;
  const pad = (value: number) => String(Math.floor(value)).padStart(2, '0');
  const sign = offset < 0 ? '-' : '+';
  const wall = new Date(ms + offset).toISOString().slice(0, -1);
  if (offset === 0) return `${wall}Z`;
  return `${wall}${sign}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}
