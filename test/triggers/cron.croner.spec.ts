import { describe, it, expect } from '@jest/globals';
import { Cron as Croner } from 'croner';
import { Cron } from '../../lib/triggers/cron.trigger.js';
import { findOffsetChange } from '../../lib/triggers/zoned-time.js';

// Our Cron against croner, an independent implementation that accepts overlapping lists, over the
// next fire times of each expression in several zones. 50 fires keep this file near a second;
// CRON_DIFF_FIRES=200 runs the full check (a few seconds).
const FIRES = Number(process.env.CRON_DIFF_FIRES ?? 50);
// Monthly and yearly schedules cost cron-parser about a millisecond a fire: stop after 3 years.
const HORIZON = Date.parse('2029-01-01T00:00:00Z');
const DAY = 86_400_000;

// Each zone starts a couple of days before an offset change, so dense schedules cross one too.
const ZONES = [
  ['UTC', '2026-02-25T00:00:00.500Z'],
  ['Europe/Berlin', '2026-03-27T00:00:00Z'],
  ['America/New_York', '2026-10-30T00:00:00Z'],
  ['Australia/Lord_Howe', '2026-04-03T00:00:00Z'], // half an hour back on 5 April
] as const;

const EXPRESSIONS = [
  // Lists whose items overlap: repeated values, ranges holding listed values, steps that meet.
  '1 1 0-6,1,10 * * *',
  '*/10,30-35 * * * * *',
  '0 0-6,1,10 * * *',
  '0,0,30 9 * * *',
  '*/15,0,30 * * * *',
  '5-10,7-12 * * * *',
  '0 */6,*/4 * * *',
  '*/7,*/11 * * * *',
  '0-59/20,10-59/20 * * * * *',
  '0 */30,15 * * * *',
  '0 30 9,9,21 * * *',
  '30 1,2,3,2 * * *',
  '0 0-23/2,1-23/2 * * *',
  '1,2,3,1-3 1,1 1,1 1,1 1,1 *',
  '0 22 * * 1-5,3-6',
  '0 9 1-10,5-15 * *',
  '0 0 1-31/7,1 * *',
  '0 0 1 */3,1-2 *',
  // Names next to their numbers, and Sunday as 0 and 7.
  '0 9 * * MON,1,MON-FRI',
  '15 10 * * 1,3,5,1-2',
  '45 23 * * 6,SAT',
  '0 9 * * 0,7',
  '0 9 * * SUN,7,0',
  '0 9 * * 1-7,3',
  '0 0 12 ? * MON,WED,MON',
  '0 8 * JAN,1,FEB-MAR *',
  '0 8 1 jan,mar,1-3 *',
  '0 12 * DEC,12,11-12 *',
  // The last day, the last weekday and the nth weekday.
  '0 12 L,L * *',
  '0 12 1,L,15,1 * *',
  '59 23 L,28 2 *',
  '0 12 * * 5L,5L',
  '0 12 * * 5#2',
  '0 12 * * 5#1,FRI#1',
  '0 0 0 ? * 5#3',
  // Day of month and weekday both restricted: either matches.
  '0 0 1,15 * MON',
  '0 0 1,1,15 * MON,MON',
  '0 0 *,1 * MON',
  '0 0 L * 5',
  '0 4 8-14,10 * 1',
  // Plain schedules and aliases.
  '0 0 * * *',
  '30 2 * * *',
  '0 9 * * MON-FRI',
  '*/5 * * * *',
  '0 0 31 * *',
  '0 0 30,31 * *',
  '0 0 29 2 *',
  '0 0 * ? * *',
  '@hourly',
  '@daily',
  '@weekly',
  '@monthly',
  '@yearly',
];

function ours(expression: string, zone: string, from: number): number[] {
  const cron = new Cron(expression, { tz: zone });
  const times: number[] = [];
  for (let at = from; times.length < FIRES && at < HORIZON;) {
    const wait = cron.getWaitingTimeTillNextTrigger(new Date(at));
    if (wait === null) break;
    at += wait;
    cron.recordFire(new Date(at));
    times.push(at);
  }
  return times;
}

function croner(expression: string, zone: string, from: number): number[] {
  const cron = new Croner(expression, { timezone: zone, paused: true });
  const times: number[] = [];
  for (let at: Date | null = new Date(from); times.length < FIRES && at.getTime() < HORIZON;) {
    at = cron.nextRun(at);
    if (at === null) break;
    times.push(at.getTime());
  }
  return times;
}

/**
 * Whether croner's default DST rule treats the schedule as SPEC does. SPEC follows real time when
 * the hour field is every hour, else names wall-clock times; croner's "single-value" rule names
 * wall-clock times only when seconds, minutes and hours are single values. Both agree when the
 * hour field is `*` or all three are single values; elsewhere days with an offset change differ
 * on purpose and are left out.
 */
function dstRulesAgree(expression: string): boolean {
  if (expression.startsWith('@')) return true;
  const fields = expression.split(' ');
  const [second, minute, hour] = fields.length === 5 ? ['0', ...fields] : fields;
  return hour === '*' || [second, minute, hour].every((field) => /^\d+$/.test(field!));
}

describe('Cron agrees with croner on the next fire times', () => {
  it.each(EXPRESSIONS)('%s', (expression) => {
    for (const [zone, start] of ZONES) {
      const from = Date.parse(start);
      const a = ours(expression, zone, from);
      const b = croner(expression, zone, from);
      // Compare where both lists reach; each stops at FIRES or the horizon.
      const end = Math.min(a.at(-1) ?? HORIZON, b.at(-1) ?? HORIZON, HORIZON);
      const compared = (time: number) =>
        time <= end &&
        (dstRulesAgree(expression) || findOffsetChange(time - DAY, time + DAY, zone) === null);
      const iso = (times: number[]) => times.filter(compared).map((t) => new Date(t).toISOString());
      expect({ zone, fires: iso(a) }).toEqual({ zone, fires: iso(b) });
      expect(iso(a).length).toBeGreaterThan(0);
    }
  });
});
