import { describe, it, expect, jest, afterEach } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  At,
  Cron,
  Every,
  Forever,
  OnStartUp,
  OptionValidationError,
  OrTrigger,
  Task,
  TaskNotFoundError,
  TaskRegistry,
  MAX_UPCOMING,
} from '../../lib/index.js';
import { validationMessages } from '../../lib/errors.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { T0 } from '../fixtures/fake-clock.js';

afterEach(() => {
  jest.useRealTimers();
});

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

/** Moves fake time on until `registry` has recorded `runs` fires of `task`, collecting their nominal times. */
async function observeFires(registry: TaskRegistry, task: string, runs: number): Promise<string[]> {
  const seen: string[] = [];
  const subscription = registry.events$.subscribe((event) => {
    if (event.type === 'started' && event.taskName === task && event.scheduledAt) {
      seen.push(event.scheduledAt.toISOString());
    }
  });
  for (let i = 0; i < 10 * 24 * 4 && seen.length < runs; i++) {
    await jest.advanceTimersByTimeAsync(15 * 60_000);
  }
  subscription.unsubscribe();
  return seen;
}

@Injectable()
class Calendar {
  @Task(new Cron('30 2 * * *', { tz: 'Europe/Berlin' }), { name: 'nightly' })
  nightly() {}

  @Task(new At({ hour: 2, minute: 30, tz: 'Europe/Berlin' }), { name: 'at' })
  at() {}
}

describe('getUpcoming: calendar triggers across DST (Europe/Berlin)', () => {
  it('a cron at 02:30 fires at 03:00 on the spring day the hour is skipped, as predicted', async () => {
    jest.useFakeTimers({ now: new Date('2026-03-27T12:00:00Z') });
    const { app } = await createApp([Calendar]);
    const registry = app.get(TaskRegistry);
    const predicted = iso(registry.getUpcoming('nightly', { count: 4 }));
    expect(predicted).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
      '2026-03-31T00:30:00.000Z',
    ]);
    expect(await observeFires(registry, 'nightly', 4)).toEqual(predicted);
    await closeUnderFakeTimers(app);
  });

  it('an At at 02:30 fires once, at the first pass, on the autumn day the hour repeats', async () => {
    jest.useFakeTimers({ now: new Date('2026-10-23T12:00:00Z') });
    const { app } = await createApp([Calendar]);
    const registry = app.get(TaskRegistry);
    const predicted = iso(registry.getUpcoming('at', { count: 4 }));
    expect(predicted).toEqual([
      '2026-10-24T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T00:30:00.000Z', // first 02:30 (CEST), not the second (CET)
      '2026-10-26T01:30:00.000Z', // 02:30 CET
      '2026-10-27T01:30:00.000Z',
    ]);
    expect(await observeFires(registry, 'at', 4)).toEqual(predicted);
    await closeUnderFakeTimers(app);
  });

  it('`from` starts the list later; a look ahead leaves the live schedule as it was', async () => {
    jest.useFakeTimers({ now: new Date('2026-03-27T12:00:00Z') });
    const { app } = await createApp([Calendar]);
    const registry = app.get(TaskRegistry);
    const before = registry.getTask('nightly');
    const later = registry.getUpcoming('nightly', {
      from: new Date('2026-03-29T00:00:00Z'),
      count: 2,
    });
    expect(iso(later)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    registry.getUpcoming('nightly', { count: MAX_UPCOMING });
    expect(registry.getTask('nightly')).toEqual(before);
    expect(await observeFires(registry, 'nightly', 1)).toEqual(['2026-03-28T01:30:00.000Z']);
    await closeUnderFakeTimers(app);
  });
});

const offsets = (dates: Date[]) => dates.map((date) => date.getTime() - T0);

@Injectable()
class Loops {
  @Task(new Every({ seconds: 1, maxLoopCount: 3 }), { name: 'budget' })
  budget() {}

  @Task(new Every({ seconds: 10 }), { name: 'slow' })
  async slow() {
    await sleep(4_000);
  }

  @Task(
    new OrTrigger([
      new Every({ seconds: 3, anchor: 'start' }),
      new Every({ seconds: 5, anchor: 'start' }),
    ]),
    {
      name: 'either',
    },
  )
  either() {}

  @Task(new Forever(), { name: 'forever' })
  async forever() {
    await sleep(1_000);
  }

  @Task(new OnStartUp(), { name: 'boot' })
  boot() {}
}

describe('getUpcoming: budgets, pause, run-anchored triggers', () => {
  it('counts only the fires the loop budget has left', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    expect(offsets(registry.getUpcoming('budget'))).toEqual([1_000, 2_000, 3_000]);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(offsets(registry.getUpcoming('budget'))).toEqual([2_000, 3_000]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(registry.getUpcoming('budget')).toEqual([]);
    await closeUnderFakeTimers(app);
  });

  it('fires before `from` use up the budget', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    expect(offsets(registry.getUpcoming('budget', { from: new Date(T0 + 2_500) }))).toEqual([
      3_000,
    ]);
    await closeUnderFakeTimers(app);
  });

  it('is empty while paused and comes back on resume', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    registry.pause('slow');
    expect(registry.getUpcoming('slow')).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    registry.resume('slow');
    expect(offsets(registry.getUpcoming('slow', { count: 2 }))).toEqual([11_000, 21_000]);
    await closeUnderFakeTimers(app);
  });

  it('a fixed delay is estimated as if runs took no time; mid-run, as if it ended now', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    expect(offsets(registry.getUpcoming('slow', { count: 3 }))).toEqual([10_000, 20_000, 30_000]);
    await jest.advanceTimersByTimeAsync(12_000); // the run started at 10 s goes on until 14 s
    expect(offsets(registry.getUpcoming('slow', { count: 2 }))).toEqual([22_000, 32_000]);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(registry.getTask('slow').nextRunAt?.getTime()).toBe(T0 + 24_000);
    expect(offsets(registry.getUpcoming('slow', { count: 2 }))).toEqual([24_000, 34_000]);
    await closeUnderFakeTimers(app);
  });

  it('an OrTrigger lists the union of its children, a shared instant once', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    const expected = [3, 5, 6, 9, 10, 12, 15, 18, 20, 21].map((s) => s * 1_000);
    expect(offsets(registry.getUpcoming('either', { count: 10 }))).toEqual(expected);
    await jest.advanceTimersByTimeAsync(7_000);
    expect(offsets(registry.getUpcoming('either', { count: 3 }))).toEqual([9_000, 10_000, 12_000]);
    await closeUnderFakeTimers(app);
  });

  it('has nothing to tell for Forever, startup tasks and a stopped scheduler', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    expect(registry.getUpcoming('forever')).toEqual([]);
    expect(registry.getUpcoming('boot')).toEqual([]);
    await closeUnderFakeTimers(app);
    expect(registry.getUpcoming('slow')).toEqual([]);
  });

  it('with enabled: false, tells the times the schedule would give from now', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops], { enabled: false });
    const registry = app.get(TaskRegistry);
    expect(offsets(registry.getUpcoming('slow', { count: 2 }))).toEqual([10_000, 20_000]);
    await app.close();
  });

  it('jumps to a far `from` instead of stepping through every fire before it', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    const from = new Date(T0 + 365 * 86_400_000);
    const times = registry.getUpcoming('either', { from, count: 3 });
    expect(times).toHaveLength(3);
    expect(times[0].getTime()).toBeGreaterThanOrEqual(from.getTime());
    await closeUnderFakeTimers(app);
  });
});

describe('getUpcoming: bad input', () => {
  it('names the option and refuses unknown tasks', async () => {
    jest.useFakeTimers({ now: T0 });
    const { app } = await createApp([Loops]);
    const registry = app.get(TaskRegistry);
    const reasons = validationMessages;
    expect(() => registry.getUpcoming('slow', { count: 0 })).toThrow(
      reasons.notInteger({ min: 1, max: MAX_UPCOMING }, 0),
    );
    expect(() => registry.getUpcoming('slow', { count: MAX_UPCOMING + 1 })).toThrow(
      OptionValidationError,
    );
    expect(() => registry.getUpcoming('slow', { count: 1.5 })).toThrow(/count/);
    expect(() => registry.getUpcoming('slow', { from: new Date(NaN) })).toThrow(
      reasons.invalidDate(),
    );
    expect(() => registry.getUpcoming('slow', { from: '2026-01-01' as unknown as Date })).toThrow(
      reasons.notInstance('Date', '2026-01-01'),
    );
    expect(() => registry.getUpcoming('slow', { cout: 3 } as never)).toThrow(/getUpcoming.*cout/);
    expect(() => registry.getUpcoming('nope')).toThrow(TaskNotFoundError);
    await closeUnderFakeTimers(app);
  });
});
