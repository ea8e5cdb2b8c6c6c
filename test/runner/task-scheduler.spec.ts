import { describe, expect, it, jest } from '@jest/globals';
import { Every, OnStartUp, OrTrigger } from '../../lib/index.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { sleep } from '../fixtures/background/deferred.js';
import { closeUnderFakeTimers, RecordingLogger } from '../fixtures/testing-module.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

// The scheduler without Nest: edge cases of overlap, pause and shutdown, under fake timers.
const since = () => Date.now() - T0;

/** Stops a scheduler under fake timers, moving time on so that running runs can drain. */
const stopUnderFakeTimers = (scheduler: TaskScheduler) =>
  closeUnderFakeTimers({ close: () => scheduler.shutdown() });

useFakeClock();

/** A scheduler with one task under overlap 'queue' whose runs take `runMs`; logs run starts. */
async function startQueuedTask(trigger: Every, runMs: number) {
  const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
  const starts: number[] = [];
  const task = scheduler.register({
    name: 'sync',
    trigger,
    policies: { overlap: 'queue' },
    handler: async () => {
      starts.push(since());
      await sleep(runMs);
    },
  });
  await scheduler.start();
  return { scheduler, task, starts };
}

describe("overlap 'queue'", () => {
  it('keeps a fixed delay after a held fire: runs do not chain back to back', async () => {
    const { scheduler, task, starts } = await startQueuedTask(new Every({ seconds: 1 }), 2_500);
    await jest.advanceTimersByTimeAsync(500);
    void scheduler.runNow(task); // 0.5-3.0 s: the fire at 1.5 s is held and runs at 3.0 s
    await jest.advanceTimersByTimeAsync(12_000);
    // Each run after the held one starts a run (2.5 s) and the delay (1 s) after the previous.
    expect(starts).toEqual([500, 3_000, 6_500, 10_000]);
    await stopUnderFakeTimers(scheduler);
  });

  it('starts manual runs that wait for the task one after another', async () => {
    const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
    let active = 0;
    let mostActive = 0;
    const starts: number[] = [];
    const task = scheduler.register({
      name: 'export',
      trigger: new Every({ hours: 1 }),
      policies: { overlap: 'queue' },
      handler: async () => {
        starts.push(since());
        mostActive = Math.max(mostActive, ++active);
        await sleep(1_000);
        active--;
      },
    });
    await scheduler.start();
    const runs = [
      scheduler.runNow(task),
      scheduler.runNow(task, { respectOverlap: true }),
      scheduler.runNow(task, { respectOverlap: true }),
    ];
    await jest.advanceTimersByTimeAsync(5_000);
    await Promise.all(runs);
    expect(mostActive).toBe(1);
    expect(starts).toEqual([0, 1_000, 2_000]);
    await stopUnderFakeTimers(scheduler);
  });

  it('pause drops a held fire and records it as skipped; no run starts while paused', async () => {
    const { scheduler, task, starts } = await startQueuedTask(
      new Every({ seconds: 1, anchor: 'start' }),
      3_000,
    );
    await jest.advanceTimersByTimeAsync(2_500); // a run 1-4 s; the fire at 2 s is held
    await scheduler.pause(task);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(starts).toEqual([1_000]);
    const history = await scheduler.history(task.name, 5);
    expect(history.map((record) => [record.status, record.scheduledAt!.getTime() - T0])).toEqual([
      ['succeeded', 1_000], // finished at 4 s, after the pause
      ['skipped', 2_000],
    ]);
    await stopUnderFakeTimers(scheduler);
  });

  it('a fixed-delay task whose held fire was dropped by pause is planned again on resume', async () => {
    const { scheduler, task, starts } = await startQueuedTask(new Every({ seconds: 1 }), 2_500);
    await jest.advanceTimersByTimeAsync(500);
    void scheduler.runNow(task); // holds the fire at 1.5 s
    await jest.advanceTimersByTimeAsync(1_500); // 2.0 s
    await scheduler.pause(task);
    await jest.advanceTimersByTimeAsync(3_000); // 5.0 s
    await scheduler.resume(task);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(starts).toEqual([500, 6_000]);
    await stopUnderFakeTimers(scheduler);
  });
});

describe('manual runs refused by the overlap policy', () => {
  it('are recorded as manual, without a planned time', async () => {
    const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
    const task = scheduler.register({
      name: 'report',
      trigger: new Every({ hours: 1 }),
      handler: () => sleep(2_000),
    });
    await scheduler.start();
    const first = scheduler.runNow(task);
    await expect(scheduler.runNow(task, { respectOverlap: true })).rejects.toThrow(
      'already running',
    );
    const [record] = await scheduler.history(task.name, 1);
    expect(record).toMatchObject({ status: 'skipped', origin: 'manual', scheduledAt: null });
    await jest.advanceTimersByTimeAsync(2_000);
    await first;
    await stopUnderFakeTimers(scheduler);
  });
});

describe('resume', () => {
  it('plans an OrTrigger from now, without firing the times it remembered before the pause', async () => {
    const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
    const starts: number[] = [];
    const task = scheduler.register({
      name: 'either',
      trigger: new OrTrigger([new Every({ hours: 1 })]),
      handler: () => void starts.push(since()),
    });
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    await scheduler.pause(task);
    await jest.advanceTimersByTimeAsync(5 * 3_600_000);
    await scheduler.resume(task); // at 5 h 10 min
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(starts).toEqual([(5 * 60 + 10) * 60_000 + 3_600_000]);
    await stopUnderFakeTimers(scheduler);
  });
});

describe('setTrigger', () => {
  it('plans an OrTrigger from now, though it was asked about an earlier instant before', async () => {
    const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
    const starts: number[] = [];
    const task = scheduler.register({
      name: 'report',
      trigger: new Every({ days: 1 }),
      handler: () => void starts.push(since()),
    });
    const hourly = new OrTrigger([new Every({ hours: 1 })]);
    expect(hourly.getWaitingTimeTillNextTrigger(new Date(T0))).toBe(3_600_000); // remembered
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(5 * 3_600_000);
    await scheduler.setTrigger(task, hourly); // at 5 h: the remembered 1 h is long past
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(starts).toEqual([6 * 3_600_000]);
    await stopUnderFakeTimers(scheduler);
  });
});

describe('shutdown', () => {
  it('during startup tasks starts no further one, and waits for the one running', async () => {
    const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
    const log: string[] = [];
    for (const name of ['warm1', 'warm2']) {
      scheduler.register({
        name,
        trigger: new OnStartUp(),
        handler: async () => {
          log.push(`${name} start`);
          await sleep(5_000);
          log.push(`${name} end`);
        },
      });
    }
    const started = scheduler.start();
    await jest.advanceTimersByTimeAsync(1_000);
    const stopped = scheduler.shutdown().then(() => log.push('stopped'));
    await jest.advanceTimersByTimeAsync(30_000);
    await Promise.all([stopped, started]);
    expect(log).toEqual(['warm1 start', 'warm1 end', 'stopped']);
  });

  it('records a fire held by the queue policy as skipped, and does not run it', async () => {
    const { scheduler, task, starts } = await startQueuedTask(
      new Every({ seconds: 1, anchor: 'start' }),
      3_000,
    );
    await jest.advanceTimersByTimeAsync(2_500); // a run 1-4 s; the fire at 2 s is held
    await stopUnderFakeTimers(scheduler);
    expect(starts).toEqual([1_000]);
    const history = await scheduler.history(task.name, 5);
    expect(history.map((record) => [record.status, record.scheduledAt!.getTime() - T0])).toEqual([
      ['succeeded', 1_000],
      ['skipped', 2_000],
    ]);
  });

  it('called twice, resolves both calls only once runs have drained', async () => {
    const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
    const log: string[] = [];
    const task = scheduler.register({
      name: 'slow',
      trigger: new Every({ hours: 1 }),
      handler: async () => {
        await sleep(3_000);
        log.push('run end');
      },
    });
    await scheduler.start();
    void scheduler.runNow(task);
    const first = scheduler.shutdown().then(() => log.push('first stop'));
    const second = scheduler.shutdown().then(() => log.push('second stop'));
    await jest.advanceTimersByTimeAsync(5_000);
    await Promise.all([first, second]);
    expect(log).toEqual(['run end', 'first stop', 'second stop']);
  });
});

describe('a method that returns a broken thenable', () => {
  it('fails that run and keeps the task scheduled', async () => {
    const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
    let calls = 0;
    const task = scheduler.register({
      name: 'odd',
      trigger: new Every({ seconds: 1 }),
      handler: () => {
        calls++;
        return {
          then() {
            throw new Error('then exploded');
          },
        };
      },
    });
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(calls).toBe(2);
    expect(task.activeRuns).toBe(0);
    const [latest] = await scheduler.history(task.name, 1);
    expect(latest).toMatchObject({ status: 'failed', error: { message: 'then exploded' } });
    await stopUnderFakeTimers(scheduler);
  });
});
