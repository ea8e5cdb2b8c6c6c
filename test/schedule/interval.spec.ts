import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { SchedulerRegistry } from '../../lib/schedule/index.js';
import { DynamicJobs } from './fixtures/dynamic.fixtures.js';
import {
  FailingInterval,
  FirstSharedInterval,
  HeartbeatController,
  OverlappingInterval,
  PollingInterval,
  SecondSharedInterval,
  SelfClearingInterval,
  Sweeper,
  UnnamedInterval,
} from './fixtures/interval.fixtures.js';
import { T0, closeDraining, createFixtureApp } from './fixtures/schedule-app.js';

// @Interval and the interval trio of SchedulerRegistry, as @nestjs/schedule 12 behaves.

let app: INestApplication | undefined;

async function start(
  providers: NonNullable<ModuleMetadata['providers']>,
  controllers?: NonNullable<ModuleMetadata['controllers']>,
): Promise<{ app: INestApplication; registry: SchedulerRegistry }> {
  app = await createFixtureApp(providers, undefined, { controllers });
  await app.init();
  return { app, registry: app.get(SchedulerRegistry) };
}

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(async () => {
  if (app) await closeDraining(app);
  app = undefined;
  jest.useRealTimers();
});

const notFound = (name: string) =>
  new Error(
    `No Interval was found with the given name (${name}). Check that you created one with a decorator or with the create API.`,
  );

describe('@Interval', () => {
  it('runs at a fixed rate from bootstrap, whatever the handler takes', async () => {
    const { app } = await start([PollingInterval]);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(app.get(PollingInterval).started).toEqual([1_000, 2_000, 3_000]);
  });

  it('starts the next run even when the previous one has not finished', async () => {
    const { app } = await start([OverlappingInterval]);
    const slow = app.get(OverlappingInterval);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(slow.started).toEqual([1_000, 2_000, 3_000]);
    expect(slow.finished).toEqual([]);
    await jest.advanceTimersByTimeAsync(500);
    expect(slow.finished).toEqual([3_500]);
  });

  it('runs an interval declared without a name, listed so that deleting every listed one stops it', async () => {
    const { app, registry } = await start([UnnamedInterval]);
    const unnamed = app.get(UnnamedInterval);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(unnamed.ticks).toEqual([1_500, 3_000]);

    expect(registry.getIntervals()).toHaveLength(1);
    registry.getIntervals().forEach((name) => registry.deleteInterval(name));
    await jest.advanceTimersByTimeAsync(3_000);
    expect(unnamed.ticks).toEqual([1_500, 3_000]);
  });

  it('gives the handle by name; clearInterval on it from the handler ends the interval', async () => {
    const { app, registry } = await start([SelfClearingInterval]);
    expect(registry.getInterval('once-then-clear')).toBeDefined();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(app.get(SelfClearingInterval).ticks).toEqual([2_500]);
  });

  it('keeps running after a handler throws', async () => {
    const { app } = await start([FailingInterval]);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(app.get(FailingInterval).ticks).toEqual([1_000, 2_000, 3_000]);
  });

  it('finds intervals inherited from a base class and on controllers', async () => {
    const { app, registry } = await start([Sweeper], [HeartbeatController]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(app.get(Sweeper).ticks).toEqual([1_000, 2_000]);
    expect(app.get(HeartbeatController).ticks).toEqual([1_000, 2_000]);
    expect(registry.getIntervals().sort()).toEqual(['heartbeat', 'inherited-sweep']);
  });

  it('rejects bootstrap when two providers declare the same interval name', async () => {
    const failing = await createFixtureApp([FirstSharedInterval, SecondSharedInterval]);
    await expect(failing.init()).rejects.toThrow(
      'Interval with the given name (shared) already exists. Ignored.',
    );
  });

  it('deleteInterval stops a decorated interval and forgets its name', async () => {
    const { app, registry } = await start([PollingInterval]);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(registry.doesExist('interval', 'poll')).toBe(true);
    registry.deleteInterval('poll');

    expect(registry.doesExist('interval', 'poll')).toBe(false);
    expect(registry.getIntervals()).toEqual([]);
    expect(() => registry.getInterval('poll')).toThrow(notFound('poll'));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(PollingInterval).started).toEqual([1_000]);
  });
});

describe('addInterval with a raw timer', () => {
  it('keeps the handle by name, lists it, and clears it on deleteInterval', async () => {
    const { app, registry } = await start([DynamicJobs, PollingInterval]);
    const jobs = app.get(DynamicJobs);
    expect(registry.doesExist('interval', 'raw')).toBe(false);
    const handle = jobs.addInterval('raw', 500);

    expect(registry.doesExist('interval', 'raw')).toBe(true);
    expect(registry.getInterval('raw')).toBe(handle);
    expect(registry.getIntervals().sort()).toEqual(['poll', 'raw']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(jobs.ticksOf('raw')).toEqual([500, 1_000]);

    registry.deleteInterval('raw');
    expect(registry.doesExist('interval', 'raw')).toBe(false);
    expect(registry.getIntervals()).toEqual(['poll']);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(jobs.ticksOf('raw')).toEqual([500, 1_000]);
  });

  it('refuses a taken name, raw or decorated, with the original message', async () => {
    const { app, registry } = await start([DynamicJobs, PollingInterval]);
    app.get(DynamicJobs).addInterval('raw', 500);
    const extra = setInterval(() => {}, 500);
    try {
      expect(() => registry.addInterval('raw', extra)).toThrow(
        new Error('Interval with the given name (raw) already exists. Ignored.'),
      );
      expect(() => registry.addInterval('poll', extra)).toThrow(
        new Error('Interval with the given name (poll) already exists. Ignored.'),
      );
    } finally {
      clearInterval(extra);
    }
  });

  it('throws the original message for an unknown name', async () => {
    const { registry } = await start([PollingInterval]);
    expect(() => registry.getInterval('missing')).toThrow(notFound('missing'));
    expect(() => registry.deleteInterval('missing')).toThrow(notFound('missing'));
    expect(registry.doesExist('interval', 'missing')).toBe(false);
  });
});

describe('shutdown', () => {
  it('clears every interval, raw ones included, leaving no timer behind', async () => {
    const { app, registry } = await start([DynamicJobs, PollingInterval]);
    const jobs = app.get(DynamicJobs);
    jobs.addInterval('raw', 500);
    await jest.advanceTimersByTimeAsync(1_400); // the poll of 1 s has finished its 300 ms
    await app.close();

    expect(registry.getIntervals()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(jobs.ticksOf('raw')).toEqual([500, 1_000]);
    expect(app.get(PollingInterval).started).toEqual([1_000]);
  });
});
