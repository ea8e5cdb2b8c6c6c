import { describe, it, expect } from '@jest/globals';
import {
  findOffsetChange,
  instantOfWallClock,
  isValidTimeZone,
  offsetOf,
  systemTimeZone,
  wallClockOf,
  wallMsOf,
} from '../../lib/triggers/zoned-time.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (instant: number | null) => (instant === null ? null : new Date(instant).toISOString());
const HOUR = 3_600_000;

describe('isValidTimeZone and systemTimeZone', () => {
  it('accepts IANA zones and rejects anything else', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(42)).toBe(false);
    expect(isValidTimeZone(undefined)).toBe(false);
  });

  it('reports a zone the runtime can use', () => {
    expect(isValidTimeZone(systemTimeZone())).toBe(true);
  });
});

describe('wallClockOf', () => {
  it('reads the local date, time and weekday', () => {
    expect(wallClockOf(ms('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 3,
      day: 29,
      hour: 3,
      minute: 0,
      second: 0,
      weekday: 0,
    });
    // New Year's Eve in UTC is already Friday 1 January in Berlin.
    expect(wallClockOf(ms('2026-12-31T23:30:15Z'), 'Europe/Berlin')).toEqual({
      year: 2027,
      month: 1,
      day: 1,
      hour: 0,
      minute: 30,
      second: 15,
      weekday: 5,
    });
  });

  it('reads midnight as hour 0, never 24', () => {
    expect(wallClockOf(ms('2026-06-30T22:00:00Z'), 'Europe/Berlin')).toMatchObject({
      month: 7,
      day: 1,
      hour: 0,
      weekday: 3,
    });
  });

  it('tells the two passes of a repeated hour apart only by the instant', () => {
    const first = wallClockOf(ms('2026-11-01T05:30:00Z'), 'America/New_York');
    const second = wallClockOf(ms('2026-11-01T06:30:00Z'), 'America/New_York');
    expect(first).toEqual(second);
    expect(first).toMatchObject({ day: 1, hour: 1, minute: 30, weekday: 0 });
  });
});

describe('offsetOf', () => {
  it('gives the offset in ms, east positive, including half-hour zones', () => {
    expect(offsetOf(ms('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(HOUR);
    expect(offsetOf(ms('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(offsetOf(ms('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-5 * HOUR);
    expect(offsetOf(ms('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(offsetOf(ms('2026-07-15T12:00:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * HOUR);
  });

  it('switches at the exact instant of a change, milliseconds included', () => {
    expect(offsetOf(ms('2026-03-29T00:59:59.999Z'), 'Europe/Berlin')).toBe(HOUR);
    expect(offsetOf(ms('2026-03-29T01:00:00.000Z'), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(offsetOf(ms('2026-03-29T01:00:00.500Z'), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(wallMsOf(ms('2026-03-29T01:00:00.500Z'), 'Europe/Berlin')).toBe(
      ms('2026-03-29T03:00:00.500Z'),
    );
  });

  it('answers right when asked again and again about seconds on both sides of a change', () => {
    // Offsets of recent seconds are remembered per zone; alternating must not mix them up.
    const before = ms('2026-03-29T00:59:59.250Z');
    const after = ms('2026-03-29T01:00:00.250Z');
    const answers = [before, after, after, before, before, after, ms('2026-03-29T01:00:01Z')].map(
      (instant) => offsetOf(instant, 'Europe/Berlin') / HOUR,
    );
    expect(answers).toEqual([1, 2, 2, 1, 1, 2, 2]);
    // Another zone asked about a second Berlin's memo holds (New York is on summer time since
    // March 8): the memo is per zone, so it must not answer with Berlin's offset.
    expect(offsetOf(after, 'America/New_York')).toBe(-4 * HOUR);
  });
});

describe('instantOfWallClock', () => {
  const wall = (text: string) => {
    const [date, time] = text.split(' ') as [string, string];
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const [hour, minute, second = 0] = time.split(':').map(Number) as [number, number, number?];
    return { year, month, day, hour, minute, second };
  };
  const instant = (text: string, zone: string) => iso(instantOfWallClock(wall(text), zone));

  it('maps an ordinary wall time to its only instant', () => {
    expect(instant('2026-07-04 12:00', 'America/New_York')).toBe('2026-07-04T16:00:00.000Z');
    expect(instant('2026-01-15 08:15:30', 'Europe/Berlin')).toBe('2026-01-15T07:15:30.000Z');
  });

  it('maps a time skipped in spring to the first instant after the gap', () => {
    // Berlin jumps from 02:00 CET to 03:00 CEST (01:00Z) on 29 March 2026.
    expect(instant('2026-03-29 01:59:59', 'Europe/Berlin')).toBe('2026-03-29T00:59:59.000Z');
    expect(instant('2026-03-29 02:00', 'Europe/Berlin')).toBe('2026-03-29T01:00:00.000Z');
    expect(instant('2026-03-29 02:30', 'Europe/Berlin')).toBe('2026-03-29T01:00:00.000Z');
    expect(instant('2026-03-29 03:00', 'Europe/Berlin')).toBe('2026-03-29T01:00:00.000Z');
    expect(instant('2026-03-29 03:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    // New York jumps from 02:00 EST to 03:00 EDT (07:00Z) on 8 March 2026.
    expect(instant('2026-03-08 02:30', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    // Santiago skips midnight: 00:00 on 6 September 2026 becomes 01:00 -03.
    expect(instant('2026-09-06 00:00', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    // Lord Howe skips half an hour: 02:00 to 02:30 +11.
    expect(instant('2026-10-04 02:15', 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00.000Z');
  });

  it('maps a time repeated in autumn to its first occurrence', () => {
    // Berlin goes back from 03:00 CEST to 02:00 CET (01:00Z) on 25 October 2026.
    expect(instant('2026-10-25 02:00', 'Europe/Berlin')).toBe('2026-10-25T00:00:00.000Z');
    expect(instant('2026-10-25 02:30', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z');
    expect(instant('2026-10-25 03:00', 'Europe/Berlin')).toBe('2026-10-25T02:00:00.000Z');
    expect(instant('2026-10-25 01:59', 'Europe/Berlin')).toBe('2026-10-24T23:59:00.000Z');
    // New York goes back from 02:00 EDT to 01:00 EST (06:00Z) on 1 November 2026.
    expect(instant('2026-11-01 01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
    expect(instant('2026-11-01 02:00', 'America/New_York')).toBe('2026-11-01T07:00:00.000Z');
  });
});

describe('instantOfWallClock on a date the zone skipped', () => {
  const wall = (
    year: number,
    month: number,
    day: number,
    hour: number,
    minute = 0,
    second = 0,
  ) => ({
    year,
    month,
    day,
    hour,
    minute,
    second,
  });
  const instant = (zone: string, ...time: Parameters<typeof wall>) =>
    iso(instantOfWallClock(wall(...time), zone));

  it('has no instant for any time of that date, and the dates around keep theirs', () => {
    // Apia went from 23:59:59 -10 on 29 December 2011 to 00:00 +14 on 31 December (10:00Z).
    expect(instant('Pacific/Apia', 2011, 12, 30, 0)).toBeNull();
    expect(instant('Pacific/Apia', 2011, 12, 30, 12, 30)).toBeNull();
    expect(instant('Pacific/Apia', 2011, 12, 30, 23, 59, 59)).toBeNull();
    // Kwajalein skipped 21 August 1993 (-12 to +12), Kiritimati 31 December 1994 (-10 to +14),
    // and Manila 31 December 1844 (local mean time, -15:56:08 to +8:03:52).
    expect(instant('Pacific/Kwajalein', 1993, 8, 21, 9)).toBeNull();
    expect(instant('Pacific/Kiritimati', 1994, 12, 31, 18)).toBeNull();
    expect(instant('Asia/Manila', 1844, 12, 31, 12)).toBeNull();
    // The dates on either side keep their instants.
    expect(instant('Pacific/Apia', 2011, 12, 29, 23, 59, 59)).toBe('2011-12-30T09:59:59.000Z');
    expect(instant('Pacific/Apia', 2011, 12, 31, 0)).toBe('2011-12-30T10:00:00.000Z');
    expect(instant('Pacific/Kwajalein', 1993, 8, 22, 9)).toBe('1993-08-21T21:00:00.000Z');
    expect(instant('Asia/Manila', 1845, 1, 1, 0)).toBe('1844-12-31T15:56:08.000Z');
  });
});

describe('findOffsetChange', () => {
  it('finds the first change in a span, even one the span later reverses', () => {
    const berlin = (from: string, until: string) =>
      iso(findOffsetChange(ms(from), ms(until), 'Europe/Berlin'));
    expect(berlin('2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(berlin('2026-01-01T00:00:00Z', '2026-12-01T00:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(berlin('2026-03-29T01:00:00Z', '2026-12-01T00:00:00Z')).toBe('2026-10-25T01:00:00.000Z');
    expect(berlin('2026-01-01T00:00:00Z', '2026-03-29T00:59:59Z')).toBeNull();
  });
});
