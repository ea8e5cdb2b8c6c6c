import { describe, expect, it } from '@jest/globals';
import {
  At,
  Cron,
  Every,
  Forever,
  Once,
  OnShutDown,
  OnStartUp,
  OrTrigger,
} from '../../lib/index.js';
import { describeDuration, describeTrigger } from '../../lib/dashboard/index.js';

// Issue 12: the dashboard shows each trigger in words.
describe('describeTrigger', () => {
  it('says how often an Every fires, with its options', () => {
    expect(describeTrigger(new Every({ seconds: 5 }).describe())).toBe('every 5 s');
    expect(describeTrigger(new Every({ minutes: 1, seconds: 30 }).describe())).toBe(
      'every 1 min 30 s',
    );
    expect(describeTrigger(new Every({ hours: 2 }).describe())).toBe('every 2 h');
    expect(describeTrigger(new Every({ seconds: 1.5 }).describe())).toBe('every 1.5 s');
    expect(describeTrigger(new Every({ seconds: 0.25 }).describe())).toBe('every 250 ms');
    expect(
      describeTrigger(
        new Every({
          seconds: 10,
          anchor: 'start',
          firstRunStrategy: 'immediate',
          maxLoopCount: 3,
        }).describe(),
      ),
    ).toBe('every 10 s (fixed rate, first run at once), at most 3 times');
    expect(describeTrigger(new Every({ seconds: 0 }).describe())).toBe('back to back');
  });

  it('names the zone of a Cron or At: its own tz, else the task’s', () => {
    expect(describeTrigger(new Cron('0 * * * *', { tz: 'Europe/Berlin' }).describe())).toBe(
      'cron 0 * * * * (Europe/Berlin)',
    );
    expect(describeTrigger(new Cron('*/5 * * * *').describe(), 'UTC')).toBe(
      'cron */5 * * * * (UTC)',
    );
    expect(describeTrigger(new At({ hour: 3 }).describe(), 'Europe/Paris')).toBe(
      'every day at 03:00 (Europe/Paris)',
    );
    expect(
      describeTrigger(
        new At({ at: 'every monday', hour: 9, minute: 30, second: 5, tz: 'UTC' }).describe(),
      ),
    ).toBe('every monday at 09:30:05 (UTC)');
  });

  it('describes one-off, lifecycle and combined triggers', () => {
    expect(describeTrigger(new Once().describe())).toBe('once, at start');
    expect(describeTrigger(new Forever().describe())).toBe('forever, back to back');
    expect(describeTrigger(new OnStartUp().describe())).toBe('at startup');
    expect(describeTrigger(new OnShutDown().describe())).toBe('at shutdown');
    const or = new OrTrigger([new Every({ seconds: 5 }), new Cron('0 3 * * *', { tz: 'UTC' })]);
    expect(describeTrigger(or.describe())).toBe('any of: every 5 s; cron 0 3 * * * (UTC)');
    expect(describeTrigger({ type: 'Interval', ms: 1500 })).toBe('every 1.5 s (@Interval)');
    expect(describeTrigger({ type: 'Timeout', ms: 200 })).toBe('once after 200 ms (@Timeout)');
  });

  it('shows an unknown trigger by type and fields, and one whose describe() failed', () => {
    expect(describeTrigger({ type: 'Tides', port: 'Brest', high: true, extra: null })).toBe(
      'Tides port=Brest, high=true',
    );
    expect(describeTrigger({ type: 'Tides', describeFailed: true })).toBe(
      'Tides (describe() failed)',
    );
  });

  it('writes durations with their largest units first', () => {
    expect(describeDuration(90_061_000)).toBe('1 d 1 h 1 min 1 s');
    expect(describeDuration(60_500)).toBe('1 min 500 ms');
  });
});
