import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { SchedulerRegistry } from '../../lib/schedule/index.js';
import { DynamicJobs } from './fixtures/dynamic.fixtures.js';
import { T0, closeDraining, createFixtureApp } from './fixtures/schedule-app.js';
import {
  FailingTimeout,
  FirstSharedTimeout,
  SecondSharedTimeout,
  UnnamedTimeout,
  WelcomeTimeout,
} from './fixtures/timeout.fixtures.js';

// @Timeout and the timeout trio of SchedulerRegistry, as @nestjs/schedule 12 behaves.

let app: INestApplication | undefined;

async function start(
  providers: NonNullable<ModuleMetadata['providers']>,
): Promise<{ app: INestApplication; registry: SchedulerRegistry }> {
  app = await createFixtureApp(providers);
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
    `No Timeout was found with the given name (${name}). Check that you created one with a decorator or with the create API.`,
  );

describe('@Timeout', () => {
  it('runs once, the given time after bootstrap', async () => {
    const { app } = await start([WelcomeTimeout]);
    const welcome = app.get(WelcomeTimeout);
    await jest.advanceTimersByTimeAsync(2_499);
    expect(welcome.runs).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(welcome.runs).toEqual([2_500]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(welcome.runs).toEqual([2_500]);
  });

  it('runs a timeout declared without a name, listed so that deleting every listed one cancels it', async () => {
    const { app, registry } = await start([UnnamedTimeout, WelcomeTimeout]);
    expect(registry.getTimeouts()).toHaveLength(2);
    registry
      .getTimeouts()
      .filter((name) => name !== 'welcome')
      .forEach((name) => registry.deleteTimeout(name));
    await jest.advanceTimersByTimeAsync(3_000);
    expect(app.get(UnnamedTimeout).runs).toEqual([]);
    expect(app.get(WelcomeTimeout).runs).toEqual([2_500]);
  });

  it('an unnamed timeout runs like a named one', async () => {
    const { app } = await start([UnnamedTimeout]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(UnnamedTimeout).runs).toEqual([1_000]);
  });

  it('gives the handle by name; clearTimeout on it before it fires cancels the run', async () => {
    const { app, registry } = await start([WelcomeTimeout]);
    await jest.advanceTimersByTimeAsync(1_000);
    const handle = registry.getTimeout('welcome');
    expect(handle).toBeDefined();
    clearTimeout(handle);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(WelcomeTimeout).runs).toEqual([]);
  });

  it('deleteTimeout before it fires cancels the run and forgets the name', async () => {
    const { app, registry } = await start([WelcomeTimeout]);
    expect(registry.doesExist('timeout', 'welcome')).toBe(true);
    registry.deleteTimeout('welcome');
    expect(registry.doesExist('timeout', 'welcome')).toBe(false);
    expect(registry.getTimeouts()).toEqual([]);
    expect(() => registry.getTimeout('welcome')).toThrow(notFound('welcome'));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(WelcomeTimeout).runs).toEqual([]);
  });

  it('a throwing handler does not disturb the other timeouts', async () => {
    const { app } = await start([FailingTimeout, WelcomeTimeout]);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(app.get(FailingTimeout).runs).toEqual([1_000]);
    expect(app.get(WelcomeTimeout).runs).toEqual([2_500]);
  });

  it('rejects bootstrap when two providers declare the same timeout name', async () => {
    const failing = await createFixtureApp([FirstSharedTimeout, SecondSharedTimeout]);
    await expect(failing.init()).rejects.toThrow(
      'Timeout with the given name (shared) already exists. Ignored.',
    );
  });
});

describe('addTimeout with a raw timer', () => {
  it('keeps the handle by name, lists it, and lets it run', async () => {
    const { app, registry } = await start([DynamicJobs, WelcomeTimeout]);
    const jobs = app.get(DynamicJobs);
    const handle = jobs.addTimeout('raw', 1_000);
    expect(registry.doesExist('timeout', 'raw')).toBe(true);
    expect(registry.getTimeout('raw')).toBe(handle);
    expect(registry.getTimeouts().sort()).toEqual(['raw', 'welcome']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(jobs.ticksOf('raw')).toEqual([1_000]);
  });

  it('deleteTimeout clears the raw timer before it fires', async () => {
    const { app, registry } = await start([DynamicJobs]);
    const jobs = app.get(DynamicJobs);
    jobs.addTimeout('raw', 1_000);
    await jest.advanceTimersByTimeAsync(500);
    registry.deleteTimeout('raw');
    expect(registry.doesExist('timeout', 'raw')).toBe(false);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(jobs.ticksOf('raw')).toEqual([]);
  });

  it('refuses a taken name, raw or decorated, with the original message', async () => {
    const { app, registry } = await start([DynamicJobs, WelcomeTimeout]);
    app.get(DynamicJobs).addTimeout('raw', 1_000);
    const extra = setTimeout(() => {}, 1_000);
    try {
      expect(() => registry.addTimeout('raw', extra)).toThrow(
        new Error('Timeout with the given name (raw) already exists. Ignored.'),
      );
      expect(() => registry.addTimeout('welcome', extra)).toThrow(
        new Error('Timeout with the given name (welcome) already exists. Ignored.'),
      );
    } finally {
      clearTimeout(extra);
    }
  });

  it('throws the original message for an unknown name', async () => {
    const { registry } = await start([WelcomeTimeout]);
    expect(() => registry.getTimeout('missing')).toThrow(notFound('missing'));
    expect(() => registry.deleteTimeout('missing')).toThrow(notFound('missing'));
    expect(registry.doesExist('timeout', 'missing')).toBe(false);
  });
});

describe('shutdown', () => {
  it('cancels pending timeouts, raw ones included, leaving no timer behind', async () => {
    const { app, registry } = await start([DynamicJobs, WelcomeTimeout]);
    const jobs = app.get(DynamicJobs);
    jobs.addTimeout('raw', 5_000);
    await jest.advanceTimersByTimeAsync(1_000);
    await app.close();

    expect(registry.getTimeouts()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(jobs.ticksOf('raw')).toEqual([]);
    expect(app.get(WelcomeTimeout).runs).toEqual([]);
  });
});
