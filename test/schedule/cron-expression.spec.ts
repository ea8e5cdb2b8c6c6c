import { describe, it, expect, jest } from '@jest/globals';
import { CronExpression as OriginalCronExpression } from '@nestjs/schedule';
import { CronExpression, CronJob } from '../../lib/schedule/index.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

// The CronExpression constants and the cron dialect of @nestjs/schedule 12 (cron 4): 5 or 6 fields,
// names of months and days, 7 as Sunday, day-of-month OR day-of-week. Next dates are read from a
// job's handle, in UTC, from T0 (Thursday 2026-01-01 00:00): a time equal to now is not "next".

const noop = () => {};
const nextDatesInZone = (expression: string, timeZone: string, count: number): Date[] =>
  new CronJob(expression, noop, null, false, timeZone).nextDates(count).map((d) => d.toJSDate());
const dates = (...iso: string[]): Date[] => iso.map((text) => new Date(text));

useFakeClock();

/** The next two fire times of every constant, in UTC from T0. */
const NEXT_TWO: Record<keyof typeof CronExpression, [string, string]> = {
  EVERY_SECOND: ['2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z'],
  EVERY_5_SECONDS: ['2026-01-01T00:00:05Z', '2026-01-01T00:00:10Z'],
  EVERY_10_SECONDS: ['2026-01-01T00:00:10Z', '2026-01-01T00:00:20Z'],
  EVERY_30_SECONDS: ['2026-01-01T00:00:30Z', '2026-01-01T00:01:00Z'],
  EVERY_MINUTE: ['2026-01-01T00:01:00Z', '2026-01-01T00:02:00Z'],
  EVERY_5_MINUTES: ['2026-01-01T00:05:00Z', '2026-01-01T00:10:00Z'],
  EVERY_10_MINUTES: ['2026-01-01T00:10:00Z', '2026-01-01T00:20:00Z'],
  EVERY_30_MINUTES: ['2026-01-01T00:30:00Z', '2026-01-01T01:00:00Z'],
  EVERY_HOUR: ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z'],
  EVERY_2_HOURS: ['2026-01-01T02:00:00Z', '2026-01-01T04:00:00Z'],
  EVERY_3_HOURS: ['2026-01-01T03:00:00Z', '2026-01-01T06:00:00Z'],
  EVERY_4_HOURS: ['2026-01-01T04:00:00Z', '2026-01-01T08:00:00Z'],
  EVERY_5_HOURS: ['2026-01-01T05:00:00Z', '2026-01-01T10:00:00Z'],
  EVERY_6_HOURS: ['2026-01-01T06:00:00Z', '2026-01-01T12:00:00Z'],
  EVERY_7_HOURS: ['2026-01-01T07:00:00Z', '2026-01-01T14:00:00Z'],
  EVERY_8_HOURS: ['2026-01-01T08:00:00Z', '2026-01-01T16:00:00Z'],
  EVERY_9_HOURS: ['2026-01-01T09:00:00Z', '2026-01-01T18:00:00Z'],
  EVERY_10_HOURS: ['2026-01-01T10:00:00Z', '2026-01-01T20:00:00Z'],
  EVERY_11_HOURS: ['2026-01-01T11:00:00Z', '2026-01-01T22:00:00Z'],
  EVERY_12_HOURS: ['2026-01-01T12:00:00Z', '2026-01-02T00:00:00Z'],
  EVERY_DAY_AT_1AM: ['2026-01-01T01:00:00Z', '2026-01-02T01:00:00Z'],
  EVERY_DAY_AT_2AM: ['2026-01-01T02:00:00Z', '2026-01-02T02:00:00Z'],
  EVERY_DAY_AT_3AM: ['2026-01-01T03:00:00Z', '2026-01-02T03:00:00Z'],
  EVERY_DAY_AT_4AM: ['2026-01-01T04:00:00Z', '2026-01-02T04:00:00Z'],
  EVERY_DAY_AT_5AM: ['2026-01-01T05:00:00Z', '2026-01-02T05:00:00Z'],
  EVERY_DAY_AT_6AM: ['2026-01-01T06:00:00Z', '2026-01-02T06:00:00Z'],
  EVERY_DAY_AT_7AM: ['2026-01-01T07:00:00Z', '2026-01-02T07:00:00Z'],
  EVERY_DAY_AT_8AM: ['2026-01-01T08:00:00Z', '2026-01-02T08:00:00Z'],
  EVERY_DAY_AT_9AM: ['2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z'],
  EVERY_DAY_AT_10AM: ['2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z'],
  EVERY_DAY_AT_11AM: ['2026-01-01T11:00:00Z', '2026-01-02T11:00:00Z'],
  EVERY_DAY_AT_NOON: ['2026-01-01T12:00:00Z', '2026-01-02T12:00:00Z'],
  EVERY_DAY_AT_1PM: ['2026-01-01T13:00:00Z', '2026-01-02T13:00:00Z'],
  EVERY_DAY_AT_2PM: ['2026-01-01T14:00:00Z', '2026-01-02T14:00:00Z'],
  EVERY_DAY_AT_3PM: ['2026-01-01T15:00:00Z', '2026-01-02T15:00:00Z'],
  EVERY_DAY_AT_4PM: ['2026-01-01T16:00:00Z', '2026-01-02T16:00:00Z'],
  EVERY_DAY_AT_5PM: ['2026-01-01T17:00:00Z', '2026-01-02T17:00:00Z'],
  EVERY_DAY_AT_6PM: ['2026-01-01T18:00:00Z', '2026-01-02T18:00:00Z'],
  EVERY_DAY_AT_7PM: ['2026-01-01T19:00:00Z', '2026-01-02T19:00:00Z'],
  EVERY_DAY_AT_8PM: ['2026-01-01T20:00:00Z', '2026-01-02T20:00:00Z'],
  EVERY_DAY_AT_9PM: ['2026-01-01T21:00:00Z', '2026-01-02T21:00:00Z'],
  EVERY_DAY_AT_10PM: ['2026-01-01T22:00:00Z', '2026-01-02T22:00:00Z'],
  EVERY_DAY_AT_11PM: ['2026-01-01T23:00:00Z', '2026-01-02T23:00:00Z'],
  EVERY_DAY_AT_MIDNIGHT: ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z'],
  EVERY_WEEK: ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z'],
  EVERY_WEEKDAY: ['2026-01-02T00:00:00Z', '2026-01-05T00:00:00Z'],
  EVERY_WEEKEND: ['2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z'],
  EVERY_1ST_DAY_OF_MONTH_AT_MIDNIGHT: ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
  EVERY_1ST_DAY_OF_MONTH_AT_NOON: ['2026-01-01T12:00:00Z', '2026-02-01T12:00:00Z'],
  EVERY_2ND_HOUR: ['2026-01-01T02:00:00Z', '2026-01-01T04:00:00Z'],
  EVERY_2ND_HOUR_FROM_1AM_THROUGH_11PM: ['2026-01-01T01:00:00Z', '2026-01-01T03:00:00Z'],
  EVERY_2ND_MONTH: ['2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z'],
  EVERY_QUARTER: ['2026-04-01T00:00:00Z', '2026-07-01T00:00:00Z'],
  EVERY_6_MONTHS: ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z'],
  EVERY_YEAR: ['2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z'],
  EVERY_30_MINUTES_BETWEEN_9AM_AND_5PM: ['2026-01-01T09:00:00Z', '2026-01-01T09:30:00Z'],
  EVERY_30_MINUTES_BETWEEN_9AM_AND_6PM: ['2026-01-01T09:00:00Z', '2026-01-01T09:30:00Z'],
  EVERY_30_MINUTES_BETWEEN_10AM_AND_7PM: ['2026-01-01T10:00:00Z', '2026-01-01T10:30:00Z'],
  MONDAY_TO_FRIDAY_AT_1AM: ['2026-01-01T01:00:00Z', '2026-01-02T01:00:00Z'],
  MONDAY_TO_FRIDAY_AT_2AM: ['2026-01-01T02:00:00Z', '2026-01-02T02:00:00Z'],
  MONDAY_TO_FRIDAY_AT_3AM: ['2026-01-01T03:00:00Z', '2026-01-02T03:00:00Z'],
  MONDAY_TO_FRIDAY_AT_4AM: ['2026-01-01T04:00:00Z', '2026-01-02T04:00:00Z'],
  MONDAY_TO_FRIDAY_AT_5AM: ['2026-01-01T05:00:00Z', '2026-01-02T05:00:00Z'],
  MONDAY_TO_FRIDAY_AT_6AM: ['2026-01-01T06:00:00Z', '2026-01-02T06:00:00Z'],
  MONDAY_TO_FRIDAY_AT_7AM: ['2026-01-01T07:00:00Z', '2026-01-02T07:00:00Z'],
  MONDAY_TO_FRIDAY_AT_8AM: ['2026-01-01T08:00:00Z', '2026-01-02T08:00:00Z'],
  MONDAY_TO_FRIDAY_AT_9AM: ['2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z'],
  MONDAY_TO_FRIDAY_AT_09_30AM: ['2026-01-01T09:30:00Z', '2026-01-02T09:30:00Z'],
  MONDAY_TO_FRIDAY_AT_10AM: ['2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z'],
  MONDAY_TO_FRIDAY_AT_11AM: ['2026-01-01T11:00:00Z', '2026-01-02T11:00:00Z'],
  MONDAY_TO_FRIDAY_AT_11_30AM: ['2026-01-01T11:30:00Z', '2026-01-02T11:30:00Z'],
  MONDAY_TO_FRIDAY_AT_12PM: ['2026-01-01T12:00:00Z', '2026-01-02T12:00:00Z'],
  MONDAY_TO_FRIDAY_AT_1PM: ['2026-01-01T13:00:00Z', '2026-01-02T13:00:00Z'],
  MONDAY_TO_FRIDAY_AT_2PM: ['2026-01-01T14:00:00Z', '2026-01-02T14:00:00Z'],
  MONDAY_TO_FRIDAY_AT_3PM: ['2026-01-01T15:00:00Z', '2026-01-02T15:00:00Z'],
  MONDAY_TO_FRIDAY_AT_4PM: ['2026-01-01T16:00:00Z', '2026-01-02T16:00:00Z'],
  MONDAY_TO_FRIDAY_AT_5PM: ['2026-01-01T17:00:00Z', '2026-01-02T17:00:00Z'],
  MONDAY_TO_FRIDAY_AT_6PM: ['2026-01-01T18:00:00Z', '2026-01-02T18:00:00Z'],
  MONDAY_TO_FRIDAY_AT_7PM: ['2026-01-01T19:00:00Z', '2026-01-02T19:00:00Z'],
  MONDAY_TO_FRIDAY_AT_8PM: ['2026-01-01T20:00:00Z', '2026-01-02T20:00:00Z'],
  MONDAY_TO_FRIDAY_AT_9PM: ['2026-01-01T21:00:00Z', '2026-01-02T21:00:00Z'],
  MONDAY_TO_FRIDAY_AT_10PM: ['2026-01-01T22:00:00Z', '2026-01-02T22:00:00Z'],
  MONDAY_TO_FRIDAY_AT_11PM: ['2026-01-01T23:00:00Z', '2026-01-02T23:00:00Z'],
};

describe('CronExpression', () => {
  it('has the same 83 names and values as @nestjs/schedule', () => {
    expect(Object.entries(CronExpression)).toEqual(Object.entries(OriginalCronExpression));
    expect(Object.keys(CronExpression)).toHaveLength(83);
  });

  it.each(Object.entries(NEXT_TWO))('%s fires at its next two times', (name, expected) => {
    const expression = CronExpression[name as keyof typeof CronExpression];
    expect(nextDatesInZone(expression, 'UTC', 2)).toEqual(dates(...expected));
  });
});

describe('cron dialect', () => {
  it.each<[string, string[]]>([
    [
      '0 30 9 * * MON-FRI',
      ['2026-01-01T09:30:00Z', '2026-01-02T09:30:00Z', '2026-01-05T09:30:00Z'],
    ],
    ['0 0 1 JAN,JUL *', ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-07-01T00:00:00Z']],
    ['15,45 * * * * *', ['2026-01-01T00:00:15Z', '2026-01-01T00:00:45Z', '2026-01-01T00:01:15Z']],
    ['0 0 * * 7', ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z', '2026-01-18T00:00:00Z']],
    // Both day fields restricted: either matches (Fridays, and the 13th).
    ['0 0 13 * 5', ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-13T00:00:00Z']],
    // cron 4 looks 8 years ahead at most.
    ['0 0 29 2 *', ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z']],
  ])('%s', (expression, expected) => {
    expect(nextDatesInZone(expression, 'UTC', expected.length)).toEqual(dates(...expected));
  });

  it('keeps wall-clock time in a zone across a daylight-saving change', () => {
    jest.setSystemTime(new Date('2026-03-07T12:00:00Z'));
    // New York moves to EDT on 2026-03-08: 9:00 is 14:00Z before, 13:00Z after.
    expect(nextDatesInZone('0 9 * * *', 'America/New_York', 3)).toEqual(
      dates('2026-03-07T14:00:00Z', '2026-03-08T13:00:00Z', '2026-03-09T13:00:00Z'),
    );
    jest.setSystemTime(new Date('2026-10-24T12:00:00Z'));
    // Paris returns to CET on 2026-10-25: 9:00 is 08:00Z from then on.
    expect(nextDatesInZone('0 9 * * *', 'Europe/Paris', 2)).toEqual(
      dates('2026-10-25T08:00:00Z', '2026-10-26T08:00:00Z'),
    );
  });

  it.each([
    ['a field out of range', '61 * * * * *'],
    ['a day of week past 7', '0 0 * * 8'],
    ['a step of zero', '*/0 * * * *'],
    ['too few fields', '* * * *'],
    ['too many fields', '* * * * * * *'],
    ['words', 'not a cron'],
  ])('new CronJob refuses %s', (_why, expression) => {
    expect(() => new CronJob(expression, noop)).toThrow();
  });

  it('new CronJob refuses an unknown time zone', () => {
    expect(
      () => new CronJob(CronExpression.EVERY_MINUTE, noop, null, false, 'Mars/Olympus'),
    ).toThrow();
  });
});
