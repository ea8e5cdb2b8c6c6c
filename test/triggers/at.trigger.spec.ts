import { describe, it, expect } from '@jest/globals';
import { TriggerValidationError, validationMessages } from '../../lib/errors.js';
import { At, type AtOptions, type AtSchedule } from '../../lib/triggers/at.trigger.js';
import { systemTimeZone } from '../../lib/triggers/zoned-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The next fire time, as an ISO string, when asked at `now`. */
function nextFire(trigger: At, now: string): string | null {
  const wait = trigger.getWaitingTimeTillNextTrigger(new Date(now));
  return wait === null ? null : new Date(Date.parse(now) + wait).toISOString();
}

/** Fires the trigger at its next time and returns that time. */
function fire(trigger: At, now: string): string {
  const at = nextFire(trigger, now)!;
  trigger.recordFire(new Date(at));
  return at;
}

function validationError(options: unknown): TriggerValidationError {
  try {
    new At(options as AtOptions);
  } catch (error) {
    if (error instanceof TriggerValidationError) return error;
    throw error;
  }
  throw new Error(`At(${JSON.stringify(options)}) was accepted`);
}

describe('At: validation', () => {
  it.each([
    [{ hour: 24 }, 'hour', 'At: invalid hour: must be an integer from 0 to 23, got 24'],
    [{ hour: -1 }, 'hour', 'got -1'],
    [{ hour: 1.5 }, 'hour', 'got 1.5'],
    [{ hour: '3' }, 'hour', validationMessages.notInteger({ min: 0, max: 23 }, '3')],
    [{ minute: 60 }, 'minute', 'At: invalid minute: must be an integer from 0 to 59, got 60'],
    [{ second: 60 }, 'second', 'At: invalid second: must be an integer from 0 to 59, got 60'],
    [{ at: 'every funday' }, 'at', 'At: invalid at: must be one of "every day", "every sunday"'],
    [{ at: 'Every Monday' }, 'at', 'got "Every Monday"'],
    [{ minutes: 5 }, 'minutes', 'At: invalid minutes: unknown option'],
    [
      { tz: 'Mars/Olympus_Mons' },
      'tz',
      'At: invalid tz: unknown IANA time zone "Mars/Olympus_Mons"',
    ],
    [{ tz: '' }, 'tz', 'unknown IANA time zone ""'],
    [{ maxLoopCount: 0 }, 'maxLoopCount', 'At: invalid maxLoopCount: must be an integer >= 1'],
  ])('rejects %j (field %s)', (options, field, message) => {
    const error = validationError(options);
    expect(error.trigger).toBe('At');
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('defaults to every day at 00:00:00 in the system zone', () => {
    expect(new At().describe()).toEqual({
      type: 'At',
      at: 'every day',
      hour: 0,
      minute: 0,
      second: 0,
      tz: null,
      maxLoopCount: null,
    });
    expect(new At().createState().zone).toBe(systemTimeZone());
  });
});

describe('At: fire times', () => {
  it('fires at or after now, later the same day or the next day', () => {
    const at = new At({ hour: 10, minute: 15, second: 30, tz: 'UTC' });
    expect(nextFire(at, '2026-06-01T08:00:00Z')).toBe('2026-06-01T10:15:30.000Z');
    expect(nextFire(at, '2026-06-01T10:15:30Z')).toBe('2026-06-01T10:15:30.000Z');
    expect(nextFire(at, '2026-06-01T10:15:30.001Z')).toBe('2026-06-02T10:15:30.000Z');
    expect(nextFire(at, '2026-12-31T23:00:00Z')).toBe('2027-01-01T10:15:30.000Z');
  });

  it('reads the time in its zone', () => {
    const at = new At({ hour: 9, tz: 'Asia/Tokyo' });
    expect(nextFire(at, '2026-06-01T00:30:00Z')).toBe('2026-06-02T00:00:00.000Z');
    expect(nextFire(at, '2026-05-31T23:30:00Z')).toBe('2026-06-01T00:00:00.000Z');
  });

  it('finds the right weekday (aioclock fired on the wrong one)', () => {
    // Wednesday 3 June 2026, 12:00 in Berlin; Monday is earlier in the week.
    const monday = new At({ at: 'every monday', hour: 10, tz: 'Europe/Berlin' });
    expect(nextFire(monday, '2026-06-03T10:00:00Z')).toBe('2026-06-08T08:00:00.000Z');
    // Monday 8 June, 12:00: today's 10:00 has passed, so next Monday.
    expect(nextFire(monday, '2026-06-08T10:00:00Z')).toBe('2026-06-15T08:00:00.000Z');
    // Monday 8 June, 09:00: today's 10:00 is still ahead.
    expect(nextFire(monday, '2026-06-08T07:00:00Z')).toBe('2026-06-08T08:00:00.000Z');
    const sunday = new At({ at: 'every sunday', tz: 'Europe/Berlin' });
    expect(nextFire(sunday, '2026-06-06T21:59:59Z')).toBe('2026-06-06T22:00:00.000Z');
  });

  const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
  // Monday 1 June to Sunday 7 June 2026, in New York (EDT, UTC-4); the target is 10:00 local.
  const startDays = [1, 2, 3, 4, 5, 6, 7];

  it.each(weekdays)('every %s fires on that weekday from every day of the week', (name) => {
    const at = new At({ at: `every ${name}` as AtSchedule, hour: 10, tz: 'America/New_York' });
    const target = weekdays.indexOf(name);
    for (const day of startDays) {
      const start = Date.UTC(2026, 5, day);
      for (const [localHour, timePassed] of [
        [8, false],
        [10, false],
        [12, true],
      ] as const) {
        const now = new Date(start + (localHour + 4) * HOUR).toISOString();
        const fire = Date.parse(nextFire(at, now)!);
        // 10:00 EDT is 14:00Z on the same date.
        expect(new Date(fire).getUTCHours()).toBe(14);
        expect(new Date(fire).getUTCDay()).toBe(target);
        const daysAhead = (fire - 14 * HOUR - start) / DAY;
        // The only day with that weekday in [0, 6] days ahead, or in [1, 7] once today's time passed.
        expect(daysAhead).toBeGreaterThanOrEqual(timePassed ? 1 : 0);
        expect(daysAhead).toBeLessThanOrEqual(timePassed ? 7 : 6);
      }
    }
  });

  it('never returns a fire time it has recorded, even when asked again at once or early', () => {
    const at = new At({ hour: 10, tz: 'UTC' });
    expect(nextFire(at, '2026-06-01T10:00:00Z')).toBe('2026-06-01T10:00:00.000Z');
    at.recordFire(new Date('2026-06-01T10:00:00Z'));
    expect(nextFire(at, '2026-06-01T10:00:00Z')).toBe('2026-06-02T10:00:00.000Z');
    expect(nextFire(at, '2026-06-01T09:59:59.995Z')).toBe('2026-06-02T10:00:00.000Z');
  });

  it('stops after maxLoopCount fires', () => {
    const at = new At({ hour: 10, tz: 'UTC', maxLoopCount: 2 });
    expect(fire(at, '2026-06-01T00:00:00Z')).toBe('2026-06-01T10:00:00.000Z');
    expect(fire(at, '2026-06-01T10:00:00Z')).toBe('2026-06-02T10:00:00.000Z');
    expect(at.shouldTrigger()).toBe(false);
    expect(at.getWaitingTimeTillNextTrigger(new Date('2026-06-02T10:00:00Z'))).toBeNull();
    expect(at.describe()).toMatchObject({ maxLoopCount: 2 });
    expect(at.loopCount).toBe(2);
  });
});

describe('At: DST', () => {
  it('fires a time skipped in spring at the first instant after the gap (Berlin)', () => {
    const at = new At({ hour: 2, minute: 30, tz: 'Europe/Berlin' });
    // 02:30 does not exist on 29 March 2026: 03:00 CEST.
    expect(fire(at, '2026-03-28T12:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(fire(at, '2026-03-29T01:00:00Z')).toBe('2026-03-30T00:30:00.000Z');
    const sunday = new At({ at: 'every sunday', hour: 2, minute: 30, tz: 'Europe/Berlin' });
    expect(nextFire(sunday, '2026-03-25T12:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
  });

  it('fires a time skipped in spring at the first instant after the gap (New York)', () => {
    const at = new At({ hour: 2, minute: 30, tz: 'America/New_York' });
    // 02:30 does not exist on 8 March 2026: 03:00 EDT.
    expect(fire(at, '2026-03-07T12:00:00Z')).toBe('2026-03-08T07:00:00.000Z');
    expect(fire(at, '2026-03-08T07:00:00Z')).toBe('2026-03-09T06:30:00.000Z');
  });

  it('fires a time repeated in autumn once, at its first occurrence (Berlin)', () => {
    const at = new At({ hour: 2, minute: 30, tz: 'Europe/Berlin' });
    // 02:30 CEST; 02:30 CET an hour later must not fire.
    expect(fire(at, '2026-10-24T12:00:00Z')).toBe('2026-10-25T00:30:00.000Z');
    expect(nextFire(at, '2026-10-25T00:30:00Z')).toBe('2026-10-26T01:30:00.000Z');
    expect(nextFire(at, '2026-10-25T01:30:00Z')).toBe('2026-10-26T01:30:00.000Z');
    // Started during the second pass, it does not fire it either.
    const late = new At({ hour: 2, minute: 30, tz: 'Europe/Berlin' });
    expect(nextFire(late, '2026-10-25T01:10:00Z')).toBe('2026-10-26T01:30:00.000Z');
  });

  it('fires a time repeated in autumn once, at its first occurrence (New York)', () => {
    const at = new At({ hour: 1, minute: 30, tz: 'America/New_York' });
    // 01:30 EDT; 01:30 EST an hour later must not fire.
    expect(fire(at, '2026-10-31T12:00:00Z')).toBe('2026-11-01T05:30:00.000Z');
    expect(nextFire(at, '2026-11-01T05:30:00Z')).toBe('2026-11-02T06:30:00.000Z');
  });

  it('waits real time across a change, landing on the right wall clock', () => {
    const at = new At({ hour: 9, tz: 'Europe/Berlin' });
    // Saturday 18:00 CET to Sunday 09:00 CEST: 15 wall-clock hours, 14 real ones.
    expect(at.getWaitingTimeTillNextTrigger(new Date('2026-03-28T17:00:00Z'))).toBe(14 * HOUR);
    expect(nextFire(at, '2026-03-28T17:00:00Z')).toBe('2026-03-29T07:00:00.000Z');
    // Saturday 18:00 CEST to Sunday 09:00 CET: 15 wall-clock hours, 16 real ones.
    expect(at.getWaitingTimeTillNextTrigger(new Date('2026-10-24T16:00:00Z'))).toBe(16 * HOUR);
    expect(nextFire(at, '2026-10-24T16:00:00Z')).toBe('2026-10-25T08:00:00.000Z');
  });
});

describe('At: a date the zone skipped', () => {
  it('does not fire on it, nor twice the day after (Apia skipped 30 December 2011)', () => {
    // Apia went from 29 December 23:59:59 -10 straight to 31 December 00:00 +14 (10:00Z).
    const at = new At({ hour: 12, tz: 'Pacific/Apia' });
    expect(fire(at, '2011-12-29T12:00:00Z')).toBe('2011-12-29T22:00:00.000Z'); // 29th 12:00 -10
    expect(fire(at, '2011-12-29T22:00:00Z')).toBe('2011-12-30T22:00:00.000Z'); // 31st 12:00 +14
    expect(fire(at, '2011-12-30T22:00:00Z')).toBe('2011-12-31T22:00:00.000Z'); // 1 January
  });

  it('waits a week for its weekday when that date was skipped (Kwajalein, 21 August 1993)', () => {
    // Saturday 21 August 1993 did not exist in Kwajalein (-12 to +12): the next Saturday fires.
    const saturday = new At({ at: 'every saturday', hour: 9, tz: 'Pacific/Kwajalein' });
    expect(nextFire(saturday, '1993-08-19T00:00:00Z')).toBe('1993-08-27T21:00:00.000Z');
  });
});

describe('At: defaults and description', () => {
  it("takes the module's zone, in the state it makes, when it has none of its own", () => {
    const at = new At({ hour: 12 });
    const tokyo = at.createState({ timeZone: 'Asia/Tokyo' });
    expect(tokyo.zone).toBe('Asia/Tokyo');
    const from = new Date('2026-06-01T00:00:00Z').getTime();
    expect(at.nextWait(tokyo, from)).toBe(3 * HOUR);
    // The trigger itself is untouched: driven by hand it still reads the system zone.
    expect(at.tz).toBeUndefined();
    expect(at.createState().zone).toBe(systemTimeZone());
  });

  it('keeps its own zone whatever the module says', () => {
    const own = new At({ hour: 12, tz: 'Europe/Berlin' });
    expect(own.createState({ timeZone: 'Asia/Tokyo' }).zone).toBe('Europe/Berlin');
  });

  it('rejects an unknown module zone, naming the trigger and field', () => {
    const at = new At();
    expect(() => at.createState({ timeZone: 'Nowhere/City' })).toThrow(
      'At: invalid tz: unknown IANA time zone "Nowhere/City"',
    );
  });

  it('is a calendar schedule described as JSON', () => {
    const at = new At({ at: 'every friday', hour: 17, minute: 45, tz: 'Europe/Paris' });
    expect(at.anchoredToRunEnd).toBe(false);
    at.recordFire(new Date('2026-06-05T15:45:00Z'));
    expect(JSON.parse(JSON.stringify(at.describe()))).toEqual({
      type: 'At',
      at: 'every friday',
      hour: 17,
      minute: 45,
      second: 0,
      tz: 'Europe/Paris',
      maxLoopCount: null,
    });
  });
});
