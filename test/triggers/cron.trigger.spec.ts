import { describe, it, expect } from '@jest/globals';
import { TriggerValidationError } from '../../lib/errors.js';
import { Cron, type CronOptions } from '../../lib/triggers/cron.trigger.js';
import { systemTimeZone } from '../../lib/triggers/zoned-time.js';

const HOUR = 3_600_000;

/** The next fire time, as an ISO string, when asked at `now`. */
function nextFire(trigger: Cron, now: string): string | null {
  const wait = trigger.getWaitingTimeTillNextTrigger(new Date(now));
  return wait === null ? null : new Date(Date.parse(now) + wait).toISOString();
}

/** The next `count` fire times from `now`, each recorded before asking for the one after. */
function fires(trigger: Cron, now: string, count: number): string[] {
  const times: string[] = [];
  for (let at = now; times.length < count;) {
    at = nextFire(trigger, at)!;
    trigger.recordFire(new Date(at));
    times.push(at);
  }
  return times;
}

function validationError(expression: unknown, options?: unknown): TriggerValidationError {
  try {
    new Cron(expression as string, options as CronOptions);
  } catch (error) {
    if (error instanceof TriggerValidationError) return error;
    throw error;
  }
  throw new Error(`Cron(${JSON.stringify(expression)}) was accepted`);
}

describe('Cron: validation', () => {
  it.each([
    ['', 'Cron: invalid expression: must be a non-empty string'],
    [
      '* * * *',
      'Cron: invalid expression: "* * * *": expected 5 fields, or 6 with seconds first, got 4',
    ],
    ['* * * * * * *', '"* * * * * * *": expected 5 fields, or 6 with seconds first, got 7'],
    ['60 * * * *', '"60 * * * *": Constraint error, got value 60 expected range 0-59'],
    ['0 24 * * *', '"0 24 * * *": Constraint error, got value 24 expected range 0-23'],
    ['0 9 * * FUNDAY', '"0 9 * * FUNDAY": Validation error'],
    ['@fortnightly', '"@fortnightly": Validation error, cannot resolve alias'],
    ['0 0 30 2 *', '"0 0 30 2 *": Invalid explicit day of month definition'],
  ])('rejects the expression %j', (expression, message) => {
    const error = validationError(expression);
    expect(error.trigger).toBe('Cron');
    expect(error.field).toBe('expression');
    expect(error.message).toContain(message);
  });

  it.each([
    [
      { tz: 'Mars/Olympus_Mons' },
      'tz',
      'Cron: invalid tz: unknown IANA time zone "Mars/Olympus_Mons"',
    ],
    [{ timezone: 'UTC' }, 'timezone', 'Cron: invalid timezone: unknown option'],
    [{ maxLoopCount: 1.5 }, 'maxLoopCount', 'Cron: invalid maxLoopCount: must be an integer >= 1'],
  ])('rejects the options %j (field %s)', (options, field, message) => {
    const error = validationError('* * * * *', options);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });
});

describe('Cron: fire times', () => {
  it('waits strictly until the next match after now, never 0', () => {
    const hourly = new Cron('0 * * * *', { tz: 'UTC' });
    expect(hourly.getWaitingTimeTillNextTrigger(new Date('2026-06-01T13:00:00Z'))).toBe(HOUR);
    expect(nextFire(hourly, '2026-06-01T12:59:59.999Z')).toBe('2026-06-01T13:00:00.000Z');
    const everySecond = new Cron('* * * * * *', { tz: 'UTC' });
    expect(everySecond.getWaitingTimeTillNextTrigger(new Date('2026-06-01T12:00:00Z'))).toBe(1_000);
    expect(everySecond.getWaitingTimeTillNextTrigger(new Date('2026-06-01T12:00:00.250Z'))).toBe(
      750,
    );
  });

  it('reads 6 fields with seconds first', () => {
    const quarter = new Cron('*/15 * * * * *', { tz: 'UTC' });
    expect(fires(quarter, '2026-06-01T12:00:07.250Z', 4)).toEqual([
      '2026-06-01T12:00:15.000Z',
      '2026-06-01T12:00:30.000Z',
      '2026-06-01T12:00:45.000Z',
      '2026-06-01T12:01:00.000Z',
    ]);
    expect(nextFire(new Cron('30 0 9 * * *', { tz: 'UTC' }), '2026-06-01T08:00:00Z')).toBe(
      '2026-06-01T09:00:30.000Z',
    );
  });

  it('reads month and day names', () => {
    // Saturday 6 June 2026: the next weekday is Monday.
    const weekdays = new Cron('0 9 * * MON-FRI', { tz: 'UTC' });
    expect(nextFire(weekdays, '2026-06-06T12:00:00Z')).toBe('2026-06-08T09:00:00.000Z');
    const lowerCase = new Cron('0 9 * * sat,sun', { tz: 'UTC' });
    expect(nextFire(lowerCase, '2026-06-01T12:00:00Z')).toBe('2026-06-06T09:00:00.000Z');
    const newYear = new Cron('0 0 1 JAN *', { tz: 'UTC' });
    expect(nextFire(newYear, '2026-06-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('reads aliases', () => {
    const from = '2026-06-03T12:34:56Z'; // a Wednesday
    const at = (alias: string) => nextFire(new Cron(alias, { tz: 'UTC' }), from);
    expect(at('@hourly')).toBe('2026-06-03T13:00:00.000Z');
    expect(at('@daily')).toBe('2026-06-04T00:00:00.000Z');
    expect(at('@weekly')).toBe('2026-06-07T00:00:00.000Z');
    expect(at('@monthly')).toBe('2026-07-01T00:00:00.000Z');
    expect(at('@yearly')).toBe('2027-01-01T00:00:00.000Z');
    expect(at('@Daily')).toBe('2026-06-04T00:00:00.000Z');
    expect(nextFire(new Cron('@daily', { tz: 'Europe/Berlin' }), from)).toBe(
      '2026-06-03T22:00:00.000Z',
    );
  });

  it('never returns a fire time it has recorded, even when asked early', () => {
    const cron = new Cron('0 10 * * *', { tz: 'UTC' });
    cron.recordFire(new Date('2026-06-01T10:00:00Z'));
    expect(nextFire(cron, '2026-06-01T09:59:59.995Z')).toBe('2026-06-02T10:00:00.000Z');
  });

  it('gives each expression its own answer when many Crons are planned at one instant', () => {
    // The last match is shared between Crons of the same text; other texts must not reuse it.
    // All are built first: a constructor also asks for a match and would refresh the memo.
    const now = '2026-06-01T12:01:00Z';
    const crons = ['0 * * * *', '30 * * * *', '0 * * * *', '*/5 * * * *', '30 * * * *'].map(
      (expression) => new Cron(expression, { tz: 'UTC' }),
    );
    const plans = crons.map((cron) => nextFire(cron, now));
    expect(plans).toEqual([
      '2026-06-01T13:00:00.000Z',
      '2026-06-01T12:30:00.000Z',
      '2026-06-01T13:00:00.000Z',
      '2026-06-01T12:05:00.000Z',
      '2026-06-01T12:30:00.000Z',
    ]);
  });

  it('keeps the random minute each H expression picked, though their texts are the same', () => {
    // cron-parser picks H's value when it parses, so equal texts are different schedules here.
    const crons = Array.from({ length: 20 }, () => new Cron('H * * * *', { tz: 'UTC' }));
    const plans = crons.map((cron) => nextFire(cron, '2026-06-01T12:00:30Z'));
    expect(new Set(plans).size).toBeGreaterThan(1);
  });

  it('stops after maxLoopCount fires', () => {
    const cron = new Cron('*/5 * * * *', { tz: 'UTC', maxLoopCount: 2 });
    expect(fires(cron, '2026-06-01T12:01:00Z', 2)).toEqual([
      '2026-06-01T12:05:00.000Z',
      '2026-06-01T12:10:00.000Z',
    ]);
    expect(cron.shouldTrigger()).toBe(false);
    expect(cron.getWaitingTimeTillNextTrigger(new Date('2026-06-01T12:10:00Z'))).toBeNull();
  });
});

describe('Cron: lists whose items overlap mean their union', () => {
  it.each([
    // The two cases from the peers' corpus: hours 0-6 and 10, at 01:01 past each.
    [
      '1 1 0-6,1,10 * * *',
      '2026-06-01T05:30:00Z',
      ['2026-06-01T06:01:01.000Z', '2026-06-01T10:01:01.000Z', '2026-06-02T00:01:01.000Z'],
    ],
    [
      '*/10,30-35 * * * * *',
      '2026-06-01T12:00:25Z',
      [
        '2026-06-01T12:00:30.000Z',
        '2026-06-01T12:00:31.000Z',
        '2026-06-01T12:00:32.000Z',
        '2026-06-01T12:00:33.000Z',
        '2026-06-01T12:00:34.000Z',
        '2026-06-01T12:00:35.000Z',
        '2026-06-01T12:00:40.000Z',
      ],
    ],
    // A name and its number, Sunday as 0 and 7, and a range holding a listed day.
    [
      '0 9 * * MON,1,mon-wed',
      '2026-06-03T12:00:00Z',
      ['2026-06-08T09:00:00.000Z', '2026-06-09T09:00:00.000Z', '2026-06-10T09:00:00.000Z'],
    ],
    [
      '0 9 * * 0,7,SUN',
      '2026-06-01T00:00:00Z',
      ['2026-06-07T09:00:00.000Z', '2026-06-14T09:00:00.000Z'],
    ],
    // 1-7 is Monday to Sunday: every day, once.
    [
      '0 9 * * 1-7,3',
      '2026-06-01T10:00:00Z',
      ['2026-06-02T09:00:00.000Z', '2026-06-03T09:00:00.000Z', '2026-06-04T09:00:00.000Z'],
    ],
    [
      '0 8 1 JAN,1,jan-feb *',
      '2026-06-01T00:00:00Z',
      ['2027-01-01T08:00:00.000Z', '2027-02-01T08:00:00.000Z', '2028-01-01T08:00:00.000Z'],
    ],
    // The last day of the month, given twice and with the 1st.
    [
      '0 12 L,1,L * *',
      '2026-06-02T00:00:00Z',
      ['2026-06-30T12:00:00.000Z', '2026-07-01T12:00:00.000Z', '2026-07-31T12:00:00.000Z'],
    ],
    // The last Friday, twice; the first Friday as a number and as a name.
    [
      '0 12 * * 5L,5L',
      '2026-06-01T00:00:00Z',
      ['2026-06-26T12:00:00.000Z', '2026-07-31T12:00:00.000Z'],
    ],
    [
      '0 12 * * 5#1,FRI#1',
      '2026-06-01T00:00:00Z',
      ['2026-06-05T12:00:00.000Z', '2026-07-03T12:00:00.000Z'],
    ],
    // Steps that meet: every 4 and every 6 hours share 0 and 12.
    [
      '0 */6,*/4 * * *',
      '2026-06-01T00:30:00Z',
      [
        '2026-06-01T04:00:00.000Z',
        '2026-06-01T06:00:00.000Z',
        '2026-06-01T08:00:00.000Z',
        '2026-06-01T12:00:00.000Z',
        '2026-06-01T16:00:00.000Z',
        '2026-06-01T18:00:00.000Z',
        '2026-06-01T20:00:00.000Z',
        '2026-06-02T00:00:00.000Z',
      ],
    ],
  ])('%s', (expression, now, expected) => {
    expect(fires(new Cron(expression, { tz: 'UTC' }), now, expected.length)).toEqual(expected);
  });

  it('accepts more values than cron-parser lists in a field, when they repeat', () => {
    // cron-parser stops at 256 listed values before it looks for repeats.
    const cron = new Cron(`${Array(6).fill('0-59').join(',')} * * * *`, { tz: 'UTC' });
    expect(fires(cron, '2026-06-01T12:00:30Z', 2)).toEqual([
      '2026-06-01T12:01:00.000Z',
      '2026-06-01T12:02:00.000Z',
    ]);
  });

  it('follows real time when a list covers all 24 hours', () => {
    // Even and odd hours together are every hour: both passes of Berlin's repeated 02:00.
    const cron = new Cron('0 0-23/2,1-23/2,5 * * *', { tz: 'Europe/Berlin' });
    expect(fires(cron, '2026-10-24T23:30:00Z', 3)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T02:00:00.000Z', // 03:00 CET
    ]);
  });

  it('keeps the day-of-month and weekday rule: either matches when both are restricted', () => {
    // 1 June 2026 is a Monday: the 1st and 15th, or Mondays.
    const cron = new Cron('0 0 1,15,1 * MON,mon', { tz: 'UTC' });
    expect(fires(cron, '2026-06-01T00:00:00Z', 4)).toEqual([
      '2026-06-08T00:00:00.000Z',
      '2026-06-15T00:00:00.000Z',
      '2026-06-22T00:00:00.000Z',
      '2026-06-29T00:00:00.000Z',
    ]);
  });

  it('gives a random H the same value wherever it repeats in a field', () => {
    // H,H is one random minute: a single fire an hour, not two.
    const cron = new Cron('H,H * * * *', { tz: 'UTC' });
    const [first, second] = fires(cron, '2026-06-01T12:00:00Z', 2).map(Date.parse);
    expect(second! - first!).toBe(HOUR);
  });

  it.each([
    ['0 0 * * FUNDAY,1,1', 'Validation error, cannot resolve alias "fun"'],
    ['0 0 30,30 2 *', 'Invalid explicit day of month definition'],
    // cron-parser keeps one nth weekday per field: two different ones stay refused.
    ['0 0 * * 1#1,2#1', 'Constraint error, invalid dayOfWeek `#` and `,` special characters'],
  ])('still rejects %j, naming the expression as written', (expression, message) => {
    const error = validationError(expression);
    expect(error.message).toContain(`${JSON.stringify(expression)}: ${message}`);
  });
});

describe('Cron: DST in spring', () => {
  it('fires a skipped time at the first instant after the gap (Berlin, 02:00 -> 03:00)', () => {
    // cron-parser alone gives 03:30 CEST (01:30Z) for the skipped 02:30.
    expect(
      fires(new Cron('30 2 * * *', { tz: 'Europe/Berlin' }), '2026-03-28T12:00:00Z', 2),
    ).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(nextFire(new Cron('0 2 * * *', { tz: 'Europe/Berlin' }), '2026-03-28T12:00:00Z')).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    // Skipped 02:15 fires at 03:00, then the real 03:15 (cron-parser alone drops the 02:15).
    expect(
      fires(new Cron('15 2,3 * * *', { tz: 'Europe/Berlin' }), '2026-03-28T12:00:00Z', 3),
    ).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T01:15:00.000Z', '2026-03-30T00:15:00.000Z']);
    // 02:00 and 02:30 are both skipped: one fire at 03:00, not two.
    expect(
      fires(new Cron('*/30 2 * * *', { tz: 'Europe/Berlin' }), '2026-03-28T12:00:00Z', 2),
    ).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z']);
  });

  it('fires a skipped time at the first instant after the gap (New York, 02:00 -> 03:00)', () => {
    const cron = new Cron('30 2 * * *', { tz: 'America/New_York' });
    expect(fires(cron, '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    expect(
      nextFire(new Cron('0 2 * * *', { tz: 'America/New_York' }), '2026-03-07T12:00:00Z'),
    ).toBe('2026-03-08T07:00:00.000Z');
  });

  it('lets stepping schedules follow real time through the gap', () => {
    // 01:30 CET, then 03:00 and 03:30 CEST: half an hour apart in real time.
    const berlin = new Cron('*/30 * * * *', { tz: 'Europe/Berlin' });
    expect(fires(berlin, '2026-03-29T00:15:00Z', 3)).toEqual([
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:30:00.000Z',
    ]);
    const newYork = new Cron('30 * * * *', { tz: 'America/New_York' });
    expect(fires(newYork, '2026-03-08T06:00:00Z', 2)).toEqual([
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
    ]);
  });
});

describe('Cron: DST in autumn', () => {
  it('fires a repeated time once, at its first occurrence (Berlin, 03:00 -> 02:00)', () => {
    const cron = new Cron('30 2 * * *', { tz: 'Europe/Berlin' });
    expect(fires(cron, '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) does not fire
      '2026-10-26T01:30:00.000Z',
    ]);
    // Started during the second pass, it waits for the next day.
    const late = new Cron('30 2 * * *', { tz: 'Europe/Berlin' });
    expect(nextFire(late, '2026-10-25T01:10:00Z')).toBe('2026-10-26T01:30:00.000Z');
    const everySecond = new Cron('* * 2 * * *', { tz: 'Europe/Berlin' });
    expect(nextFire(everySecond, '2026-10-25T01:10:00Z')).toBe('2026-10-26T01:00:00.000Z');
  });

  it('fires a repeated time once, at its first occurrence (New York, 02:00 -> 01:00)', () => {
    const cron = new Cron('30 1 * * *', { tz: 'America/New_York' });
    expect(fires(cron, '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not fire
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('lets stepping schedules follow real time through the repeated hour', () => {
    const berlin = new Cron('*/30 * * * *', { tz: 'Europe/Berlin' });
    expect(fires(berlin, '2026-10-24T23:45:00Z', 5)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:00:00.000Z', // 03:00 CET
    ]);
    const newYork = new Cron('0 * * * *', { tz: 'America/New_York' });
    expect(fires(newYork, '2026-11-01T04:30:00Z', 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
    const seconds = new Cron('*/20 * * * * *', { tz: 'America/New_York' });
    expect(fires(seconds, '2026-11-01T05:59:30Z', 3)).toEqual([
      '2026-11-01T05:59:40.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:00:20.000Z',
    ]);
  });

  it('keeps firing through a half-hour change (cron-parser alone gives up there)', () => {
    // Lord Howe goes back from 02:00 +11 to 01:30 +10:30 (15:00Z) on 5 April 2026.
    const cron = new Cron('0 * * * *', { tz: 'Australia/Lord_Howe' });
    expect(fires(cron, '2026-04-04T13:30:00Z', 3)).toEqual([
      '2026-04-04T14:00:00.000Z', // 01:00 +11
      '2026-04-04T15:30:00.000Z', // 02:00 +10:30
      '2026-04-04T16:30:00.000Z', // 03:00 +10:30
    ]);
  });
});

describe('Cron: a date the zone skipped', () => {
  // Apia went from 29 December 2011, 23:59:59 -10 straight to 31 December 00:00 +14 (10:00Z).
  it('has no fire times on it, nor an extra one the day after', () => {
    const noon = new Cron('0 12 * * *', { tz: 'Pacific/Apia' });
    expect(fires(noon, '2011-12-29T12:00:00Z', 3)).toEqual([
      '2011-12-29T22:00:00.000Z', // 29th 12:00 -10
      '2011-12-30T22:00:00.000Z', // 31st 12:00 +14
      '2011-12-31T22:00:00.000Z', // 1 January
    ]);
    // A schedule for that date alone waits a year; one for its weekday, a week.
    const thirtieth = new Cron('30 8 30 12 *', { tz: 'Pacific/Apia' });
    expect(nextFire(thirtieth, '2011-12-29T12:00:00Z')).toBe('2012-12-29T18:30:00.000Z');
    const friday = new Cron('0 9 * * FRI', { tz: 'Pacific/Apia' });
    expect(nextFire(friday, '2011-12-29T12:00:00Z')).toBe('2012-01-05T19:00:00.000Z');
    // A stepping schedule goes from the day before to the day after in real time.
    const hourly = new Cron('0 * * * *', { tz: 'Pacific/Apia' });
    expect(fires(hourly, '2011-12-30T08:30:00Z', 3)).toEqual([
      '2011-12-30T09:00:00.000Z', // 29th 23:00 -10
      '2011-12-30T10:00:00.000Z', // 31st 00:00 +14
      '2011-12-30T11:00:00.000Z',
    ]);
  });
});

describe('Cron: real-time waits, defaults and description', () => {
  it('waits real time across a change, landing on the right wall clock', () => {
    const cron = new Cron('0 9 * * *', { tz: 'Europe/Berlin' });
    // Saturday 18:00 to Sunday 09:00 is 15 wall-clock hours: 14 real ones in spring, 16 in autumn.
    expect(cron.getWaitingTimeTillNextTrigger(new Date('2026-03-28T17:00:00Z'))).toBe(14 * HOUR);
    expect(nextFire(cron, '2026-03-28T17:00:00Z')).toBe('2026-03-29T07:00:00.000Z');
    expect(cron.getWaitingTimeTillNextTrigger(new Date('2026-10-24T16:00:00Z'))).toBe(16 * HOUR);
    expect(nextFire(cron, '2026-10-24T16:00:00Z')).toBe('2026-10-25T08:00:00.000Z');
  });

  it("takes the module's zone when it has none of its own, else keeps its own or the system's", () => {
    const cron = new Cron('0 12 * * *');
    expect(cron.createState().zone).toBe(systemTimeZone());
    const tokyo = cron.createState({ timeZone: 'Asia/Tokyo' });
    const from = new Date('2026-06-01T00:00:00Z').getTime();
    expect(cron.nextWait(tokyo, from)).toBe(3 * HOUR);
    const own = new Cron('0 12 * * *', { tz: 'Europe/Berlin' });
    expect(own.createState({ timeZone: 'Asia/Tokyo' }).zone).toBe('Europe/Berlin');
    expect(() => new Cron('0 12 * * *').createState({ timeZone: 'Nowhere/City' })).toThrow(
      'Cron: invalid tz: unknown IANA time zone "Nowhere/City"',
    );
  });

  it('is a calendar schedule described as JSON', () => {
    const cron = new Cron('0 9 * * MON-FRI', { tz: 'Europe/Paris', maxLoopCount: 3 });
    expect(cron.anchoredToRunEnd).toBe(false);
    cron.recordFire(new Date('2026-06-01T07:00:00Z'));
    expect(JSON.parse(JSON.stringify(cron.describe()))).toEqual({
      type: 'Cron',
      expression: '0 9 * * MON-FRI',
      tz: 'Europe/Paris',
      maxLoopCount: 3,
    });
  });
});
