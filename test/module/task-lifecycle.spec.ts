import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  Cron,
  CronExpression,
  Every,
  Task,
  TaskNotFoundError,
  TaskRegistry,
  TaskRemovedError,
  type TaskContext,
} from '../../lib/index.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

describe('removeTask, hasTask and addTask', () => {
  /** A task by hand that takes 3 s per run, every second (fixed rate). */
  function slowDefinition(runs: number[], reasons: unknown[]) {
    return {
      name: 'slow',
      trigger: new Every({ seconds: 1, anchor: 'start' }),
      handler: async ({ signal }: TaskContext) => {
        runs.push(Date.now() - T0);
        try {
          await sleep(3_000, signal);
        } catch (reason) {
          reasons.push(reason);
          throw reason;
        }
      },
    };
  }

  it('addTask returns the metadata; removeTask lets a running run finish and plans nothing more', async () => {
    const { app } = await createApp([]);
    const registry = app.get(TaskRegistry);
    const runs: number[] = [];
    const reasons: unknown[] = [];
    const added = registry.addTask(slowDefinition(runs, reasons));
    expect(added).toMatchObject({ name: 'slow', paused: false, nextRunAt: new Date(T0 + 1_000) });
    expect(registry.hasTask('slow')).toBe(true);
    expect(registry.hasTask(added.id)).toBe(true);
    await jest.advanceTimersByTimeAsync(1_500);
    registry.removeTask('slow');
    expect(registry.hasTask('slow')).toBe(false);
    expect(() => registry.getTask('slow')).toThrow(TaskNotFoundError);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([1_000]);
    expect(reasons).toEqual([]);
    // The history stays readable by name, with the run that finished after the removal.
    const history = await registry.getHistory('slow');
    expect(history.map((record) => record.status)).toEqual(['succeeded']);
    await closeUnderFakeTimers(app);
  });

  it('removeTask with abort aborts the running run with TaskRemovedError; the name is free again', async () => {
    const { app } = await createApp([]);
    const registry = app.get(TaskRegistry);
    const runs: number[] = [];
    const reasons: unknown[] = [];
    registry.addTask(slowDefinition(runs, reasons));
    await jest.advanceTimersByTimeAsync(1_500);
    registry.removeTask('slow', { abort: true });
    await jest.advanceTimersByTimeAsync(100);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(TaskRemovedError);
    expect((await registry.getHistory('slow')).map((record) => record.status)).toEqual([
      'cancelled',
    ]);
    // Registered again under the same name (and the same trigger type), it starts afresh.
    registry.addTask(slowDefinition(runs, reasons));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toEqual([1_000, 2_600]);
    expect(() => registry.removeTask('missing')).toThrow(TaskNotFoundError);
    await closeUnderFakeTimers(app);
  });

  it('removeTask refuses manual runs queued behind the running one', async () => {
    const { app } = await createApp([]);
    const registry = app.get(TaskRegistry);
    registry.addTask({ ...slowDefinition([], []), policies: { overlap: 'queue' } });
    await jest.advanceTimersByTimeAsync(1_500);
    const queued = registry.runTask('slow', { respectOverlap: true });
    registry.removeTask('slow');
    await expect(queued).rejects.toBeInstanceOf(TaskRemovedError);
    await closeUnderFakeTimers(app);
  });
});

describe('disabled and initialDelay', () => {
  it('a disabled task is registered and listed as paused, and runs only once resumed', async () => {
    @Injectable()
    class Reports {
      runs: number[] = [];
      @Task(new Every({ seconds: 1 }), { name: 'reports', disabled: true })
      run() {
        this.runs.push(Date.now() - T0);
      }
    }
    const { app } = await createApp([Reports]);
    const registry = app.get(TaskRegistry);
    expect(registry.getTask('reports')).toMatchObject({ paused: true, nextRunAt: null });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(Reports).runs).toEqual([]);
    await registry.resume('reports');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(app.get(Reports).runs).toEqual([6_000, 7_000]);
    await closeUnderFakeTimers(app);
  });

  it('initialDelay: no fire before start + delay, then the schedule as usual', async () => {
    @Injectable()
    class Warm {
      ticks: number[] = [];
      rate: number[] = [];
      @Task(new Cron(CronExpression.EVERY_SECOND, { tz: 'UTC' }), { initialDelay: 2_500 })
      tick() {
        this.ticks.push(Date.now() - T0);
      }
      @Task(new Every({ seconds: 1, firstRunStrategy: 'immediate' }), { initialDelay: 1_000 })
      immediate() {
        this.rate.push(Date.now() - T0);
      }
    }
    const { app } = await createApp([Warm]);
    await jest.advanceTimersByTimeAsync(4_000);
    expect(app.get(Warm).ticks).toEqual([3_000, 4_000]);
    expect(app.get(Warm).rate).toEqual([1_000, 2_000, 3_000, 4_000]);
    await closeUnderFakeTimers(app);
  });

  it('a shutdown while the initial delay is pending starts nothing', async () => {
    @Injectable()
    class Late {
      runs = 0;
      @Task(new Every({ seconds: 1 }), { initialDelay: 60_000 })
      run() {
        this.runs++;
      }
    }
    const { app } = await createApp([Late]);
    await jest.advanceTimersByTimeAsync(5_000);
    await closeUnderFakeTimers(app, 120_000);
    expect(app.get(Late).runs).toBe(0);
  });

  it('rejects a bad disabled or initialDelay naming the task and field', async () => {
    const { app } = await createApp([]);
    const registry = app.get(TaskRegistry);
    const definition = { name: 'x', trigger: new Every({ seconds: 1 }), handler: () => {} };
    expect(() => registry.addTask({ ...definition, initialDelay: -1 })).toThrow(
      'Task "x": invalid option initialDelay',
    );
    expect(() => registry.addTask({ ...definition, disabled: 'yes' as never })).toThrow(
      'Task "x": invalid option disabled',
    );
    expect(registry.hasTask('x')).toBe(false);
    await closeUnderFakeTimers(app);
  });
});

describe('lastFiredAt', () => {
  it('is the last nominal fire time, while a run goes and after a skip', async () => {
    @Injectable()
    class Slow {
      @Task(new Every({ seconds: 1, anchor: 'start' }), { name: 'slow' })
      async run() {
        await sleep(1_500);
      }
    }
    const { app } = await createApp([Slow]);
    const registry = app.get(TaskRegistry);
    expect(registry.getTask('slow').lastFiredAt).toBeNull();
    await jest.advanceTimersByTimeAsync(1_100);
    expect(registry.getTask('slow')).toMatchObject({
      running: true,
      lastFiredAt: new Date(T0 + 1_000),
    });
    await jest.advanceTimersByTimeAsync(1_000); // the 2 s fire is skipped: the run still goes
    expect(registry.getTask('slow')).toMatchObject({
      lastFiredAt: new Date(T0 + 2_000),
      counters: { skipped: 1 },
    });
    await closeUnderFakeTimers(app);
  });
});

describe('CronExpression', () => {
  it('names expressions that Cron accepts, with the values @nestjs/schedule users know', () => {
    expect(CronExpression.EVERY_DAY_AT_MIDNIGHT).toBe('0 0 * * *');
    expect(CronExpression.EVERY_30_SECONDS).toBe('*/30 * * * * *');
    for (const expression of Object.values(CronExpression)) {
      expect(() => new Cron(expression, { tz: 'UTC' })).not.toThrow();
    }
  });
});
