import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Every, Task, TaskRegistry, type TaskContext, type TaskOptions } from '../../lib/index.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

const since = (date: Date | null) => (date ? date.getTime() - T0 : null);

useFakeClock();

/** Builds a provider with one task: a 3 s run on a fixed-rate 1 s schedule. */
function slowTask(options: TaskOptions) {
  @Injectable()
  class Slow {
    /** [start, planned fire time] of each run, in ms since T0. */
    starts: [number, number | null][] = [];
    @Task(new Every({ seconds: 1, anchor: 'start' }), { name: 'slow', ...options })
    async run({ scheduledAt }: TaskContext) {
      this.starts.push([Date.now() - T0, since(scheduledAt)]);
      await sleep(3_000);
    }
  }
  return Slow;
}

describe('overlap', () => {
  it("'skip' (default) records fire times that come while the previous run goes", async () => {
    const Slow = slowTask({});
    const { app } = await createApp([Slow]);
    await jest.advanceTimersByTimeAsync(10_000);
    // A run that ends at the instant of the next fire time does not overlap it.
    expect(app.get(Slow).starts).toEqual([
      [1_000, 1_000],
      [4_000, 4_000],
      [7_000, 7_000],
      [10_000, 10_000],
    ]);
    const task = app.get(TaskRegistry).getTask('slow');
    expect(task.counters).toMatchObject({ succeeded: 3, skipped: 6 });
    const history = await app.get(TaskRegistry).getHistory('slow', { limit: 3 });
    expect(history.map((record) => [record.status, since(record.scheduledAt)])).toEqual([
      ['succeeded', 7_000],
      ['skipped', 9_000],
      ['skipped', 8_000],
    ]);
    await closeUnderFakeTimers(app);
  });

  it("'queue' runs once more right after, with at most one pending", async () => {
    const Slow = slowTask({ overlap: 'queue' });
    const { app } = await createApp([Slow]);
    await jest.advanceTimersByTimeAsync(10_000);
    // The 2 s fire waits for the first run and starts at 4 s; the 3 s fire finds one pending.
    expect(app.get(Slow).starts).toEqual([
      [1_000, 1_000],
      [4_000, 2_000],
      [7_000, 4_000],
      [10_000, 7_000],
    ]);
    expect(app.get(TaskRegistry).getTask('slow').counters.skipped).toBe(5);
    await closeUnderFakeTimers(app);
  });

  it("'allow' lets runs overlap, each with its own signal", async () => {
    const signals = new Set<AbortSignal>();
    @Injectable()
    class Parallel {
      starts: number[] = [];
      @Task(new Every({ seconds: 1, anchor: 'start' }), { overlap: 'allow' })
      async run({ signal }: TaskContext) {
        signals.add(signal);
        this.starts.push(Date.now() - T0);
        await sleep(3_000);
      }
    }
    const { app } = await createApp([Parallel]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(Parallel).starts).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(signals.size).toBe(5);
    expect(app.get(TaskRegistry).getTask('Parallel.run').running).toBe(true);
    await closeUnderFakeTimers(app);
  });

  it('runTask applies the overlap policy when asked to', async () => {
    const Slow = slowTask({});
    const { app } = await createApp([Slow]);
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(registry.runTask('slow', { respectOverlap: true })).rejects.toThrow(
      `Task "slow" is already running and its overlap policy is 'skip'`,
    );
    expect(app.get(Slow).starts).toHaveLength(1);
    const forced = registry.runTask('slow');
    await Promise.resolve();
    expect(app.get(Slow).starts).toEqual([
      [1_000, 1_000],
      [1_000, null],
    ]);
    await jest.advanceTimersByTimeAsync(3_000);
    await forced;
    await closeUnderFakeTimers(app);
  });
});

describe('retry', () => {
  function flaky(options: TaskOptions, failures: number) {
    @Injectable()
    class Flaky {
      attempts: { at: number; attempt: number }[] = [];
      @Task(new Every({ hours: 1 }), { name: 'flaky', ...options })
      run({ attempt }: TaskContext) {
        this.attempts.push({ at: Date.now() - T0, attempt });
        if (this.attempts.length <= failures) throw new Error(`failure ${this.attempts.length}`);
        return 'ok';
      }
    }
    return Flaky;
  }

  it('retries with a fixed backoff', async () => {
    const Flaky = flaky({ retry: { attempts: 3, backoff: { type: 'fixed', delay: 2_000 } } }, 2);
    const { app } = await createApp([Flaky]);
    await jest.advanceTimersByTimeAsync(3_600_000 + 10_000);
    expect(app.get(Flaky).attempts).toEqual([
      { at: 3_600_000, attempt: 1 },
      { at: 3_602_000, attempt: 2 },
      { at: 3_604_000, attempt: 3 },
    ]);
    expect(app.get(TaskRegistry).getTask('flaky').counters).toMatchObject({
      failed: 2,
      succeeded: 1,
    });
    await closeUnderFakeTimers(app);
  });

  it('retries with an exponential backoff capped by maxDelay, and gives up after the last attempt', async () => {
    const Flaky = flaky(
      { retry: { attempts: 4, backoff: { type: 'exponential', delay: 1_000, maxDelay: 3_000 } } },
      10,
    );
    const { app, logger } = await createApp([Flaky]);
    await jest.advanceTimersByTimeAsync(3_600_000 + 20_000);
    expect(app.get(Flaky).attempts.map((a) => a.at - 3_600_000)).toEqual([0, 1_000, 3_000, 6_000]);
    expect(logger.errors.map((e) => e.message)).toEqual([
      'Task "flaky" failed (attempt 1): failure 1',
      'Task "flaky" failed (attempt 2): failure 2',
      'Task "flaky" failed (attempt 3): failure 3',
      'Task "flaky" failed (attempt 4): failure 4',
    ]);
    await closeUnderFakeTimers(app);
  });

  it('emits the event sequence and history of a failing-then-succeeding retried run', async () => {
    const Flaky = flaky({ retry: { attempts: 2, backoff: { type: 'fixed', delay: 500 } } }, 1);
    const { app } = await createApp([Flaky]);
    const registry = app.get(TaskRegistry);
    const events: string[] = [];
    const subscription = registry.events$.subscribe((event) => events.push(event.type));
    await jest.advanceTimersByTimeAsync(3_600_000 + 1_000);
    subscription.unsubscribe();
    expect(events).toEqual(['started', 'failed', 'retrying', 'started', 'succeeded', 'scheduled']);
    const history = await registry.getHistory('flaky');
    expect(history.map((r) => [r.status, r.attempt, r.result, r.error?.message ?? null])).toEqual([
      ['succeeded', 2, 'ok', null],
      ['failed', 1, null, 'failure 1'],
    ]);
    expect(history[0].scheduledAt).toEqual(history[1].scheduledAt);
    await closeUnderFakeTimers(app);
  });
});

describe('misfire and catch-up', () => {
  function fixedRate(options: TaskOptions) {
    @Injectable()
    class Ticker {
      runs: { at: number; scheduledAt: number | null }[] = [];
      @Task(new Every({ seconds: 1, anchor: 'start' }), { name: 'ticker', ...options })
      run({ scheduledAt }: TaskContext) {
        this.runs.push({ at: Date.now() - T0, scheduledAt: since(scheduledAt) });
      }
    }
    return Ticker;
  }

  /** Blocks the event loop for `ms`: the clock moves on, timers cannot fire meanwhile. */
  function blockEventLoop(ms: number) {
    jest.setSystemTime(Date.now() + ms);
  }

  it("'runOnce' (default) runs once late, then continues on schedule", async () => {
    const Ticker = fixedRate({});
    const { app } = await createApp([Ticker]);
    await jest.advanceTimersByTimeAsync(1_000);
    blockEventLoop(10_000);
    await jest.advanceTimersByTimeAsync(1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    // Ran at 1 s; the 2 s fire ran once at 12 s (late); then back on the 1 s grid.
    expect(app.get(Ticker).runs).toEqual([
      { at: 1_000, scheduledAt: 1_000 },
      { at: 12_000, scheduledAt: 2_000 },
      { at: 13_000, scheduledAt: 13_000 },
    ]);
    await closeUnderFakeTimers(app);
  });

  it("'skip' drops the late fire and continues from the next future fire time", async () => {
    const Ticker = fixedRate({ misfire: 'skip' });
    const { app } = await createApp([Ticker]);
    await jest.advanceTimersByTimeAsync(1_000);
    blockEventLoop(10_000);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(app.get(Ticker).runs.map((run) => run.at)).toEqual([1_000, 13_000]);
    const task = app.get(TaskRegistry).getTask('ticker');
    expect(task.counters.missed).toBe(1);
    await closeUnderFakeTimers(app);
  });

  it('skips a fire missed by more than catchUpWindow, whatever the misfire policy', async () => {
    const Ticker = fixedRate({ misfire: 'runOnce', catchUpWindow: 5_000 });
    const { app } = await createApp([Ticker]);
    await jest.advanceTimersByTimeAsync(1_000);
    blockEventLoop(4_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(app.get(Ticker).runs.map((run) => run.at)).toEqual([1_000, 6_000]);
    blockEventLoop(10_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(app.get(Ticker).runs.map((run) => run.at)).toEqual([1_000, 6_000]);
    expect(app.get(TaskRegistry).getTask('ticker').lastRun).toMatchObject({ status: 'missed' });
    await closeUnderFakeTimers(app);
  });
});

describe('jitter and anchors', () => {
  it('adds a random delay up to jitter to each fire time', async () => {
    @Injectable()
    class Spread {
      lateness: number[] = [];
      @Task(new Every({ seconds: 10, anchor: 'start' }), { jitter: 1_000 })
      run({ scheduledAt }: TaskContext) {
        this.lateness.push(Date.now() - scheduledAt!.getTime());
      }
    }
    const { app } = await createApp([Spread]);
    await jest.advanceTimersByTimeAsync(200_000);
    const lateness = app.get(Spread).lateness;
    expect(lateness.length).toBeGreaterThanOrEqual(19);
    expect(Math.max(...lateness)).toBeLessThan(1_000);
    expect(new Set(lateness).size).toBeGreaterThan(1);
    await closeUnderFakeTimers(app);
  });

  it("anchor 'start' shows no drift over 1,000 fires while 'end' drifts by the run time", async () => {
    @Injectable()
    class Drift {
      startRuns: number[] = [];
      endRuns: number[] = [];
      @Task(new Every({ seconds: 1, anchor: 'start' }))
      async fixedRate() {
        this.startRuns.push(Date.now() - T0);
        await sleep(100);
      }
      @Task(new Every({ seconds: 1, anchor: 'end' }))
      async fixedDelay() {
        this.endRuns.push(Date.now() - T0);
        await sleep(100);
      }
    }
    const { app } = await createApp([Drift]);
    await jest.advanceTimersByTimeAsync(1_000_000);
    const { startRuns, endRuns } = app.get(Drift);
    expect(startRuns).toHaveLength(1_000);
    expect(startRuns.at(-1)).toBe(1_000_000);
    expect(startRuns.every((at, index) => at === (index + 1) * 1_000)).toBe(true);
    // Each fixed-delay cycle takes the 1 s interval plus the 100 ms run.
    expect(endRuns.slice(0, 3)).toEqual([1_000, 2_100, 3_200]);
    expect(endRuns).toHaveLength(909);
    expect(endRuns.at(-1)).toBe(1_000 + 908 * 1_100);
    await closeUnderFakeTimers(app);
  });
});
