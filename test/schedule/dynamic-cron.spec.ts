import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { CronExpression, CronJob, SchedulerRegistry } from '../../lib/schedule/index.js';
import { ClockCron } from './fixtures/cron.fixtures.js';
import { DynamicJobs } from './fixtures/dynamic.fixtures.js';
import { T0, closeDraining, createFixtureApp, flushMicrotasks } from './fixtures/schedule-app.js';

// Cron jobs created at run time and handed to SchedulerRegistry.addCronJob, as @nestjs/schedule's
// "dynamic cron jobs" documentation shows.

const SECOND = 1_000;
const HOUR = 3_600_000;

let app: INestApplication;
let registry: SchedulerRegistry;
let jobs: DynamicJobs;

beforeEach(async () => {
  jest.useFakeTimers({ now: T0 });
  app = await createFixtureApp([DynamicJobs, ClockCron]);
  await app.init();
  registry = app.get(SchedulerRegistry);
  jobs = app.get(DynamicJobs);
});
afterEach(async () => {
  await closeDraining(app);
  jest.useRealTimers();
});

describe('addCronJob', () => {
  it('registers a job from new CronJob(expression, onTick) that runs only once started', async () => {
    expect(registry.doesExist('cron', 'report')).toBe(false);
    const job = jobs.addCronJob('report');
    expect(registry.doesExist('cron', 'report')).toBe(true);
    expect(registry.getCronJob('report')).toBe(job);
    expect(job.isActive).toBe(false);

    await jest.advanceTimersByTimeAsync(3 * SECOND);
    expect(jobs.ticksOf('report')).toEqual([]);

    registry.getCronJob('report').start();
    expect(job.isActive).toBe(true);
    await jest.advanceTimersByTimeAsync(3 * SECOND);
    expect(jobs.ticksOf('report')).toEqual([4_000, 5_000, 6_000]);
    expect(job.lastDate()).toEqual(new Date(T0 + 6_000));
  });

  it('runs a job built with start = true and a time zone (the cron README form)', async () => {
    registry.getCronJobs().forEach((decorated) => decorated.stop()); // a quiet day
    const job = jobs.addStartedCronJob('tokyo-9am', CronExpression.EVERY_DAY_AT_9AM, 'Asia/Tokyo');
    expect(job.isActive).toBe(true);
    // T0 is 09:00 in Tokyo: the first run is the next day's.
    expect(job.nextDate().toISO()).toBe('2026-01-02T09:00:00.000+09:00');
    await jest.advanceTimersByTimeAsync(24 * HOUR);
    expect(jobs.ticksOf('tokyo-9am')).toEqual([24 * HOUR]);
  });

  it('runs a job from CronJob.from({ start: true }); one with start: false waits for start()', async () => {
    jobs.addCronJobFrom('started', true);
    const waiting = jobs.addCronJobFrom('waiting', false);
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(jobs.ticksOf('started')).toEqual([1_000, 2_000]);
    expect(jobs.ticksOf('waiting')).toEqual([]);

    waiting.start();
    await jest.advanceTimersByTimeAsync(1 * SECOND);
    expect(jobs.ticksOf('waiting')).toEqual([3_000]);
  });

  it('refuses a second job under a taken name, decorated or dynamic, and keeps the first one', async () => {
    const first = jobs.addCronJob('report');
    first.start();
    const second = new CronJob(CronExpression.EVERY_SECOND, () => {
      throw new Error('the refused job must never run');
    });
    expect(() => registry.addCronJob('report', second)).toThrow(
      new Error('Cron Job with the given name (report) already exists. Ignored.'),
    );
    expect(() => registry.addCronJob('minutely', second)).toThrow(
      new Error('Cron Job with the given name (minutely) already exists. Ignored.'),
    );
    expect(registry.getCronJob('report')).toBe(first);

    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(jobs.ticksOf('report')).toEqual([1_000, 2_000]);
  });

  it('fireOnTick() on an added job runs its callback now', async () => {
    const job = jobs.addCronJob('report');
    await jest.advanceTimersByTimeAsync(500);
    await job.fireOnTick();
    expect(jobs.ticksOf('report')).toEqual([500]);
    expect(job.isActive).toBe(false);
  });

  it('calls the onComplete callback when the job is stopped', async () => {
    let completed = 0;
    const job = new CronJob(
      CronExpression.EVERY_SECOND,
      () => {},
      () => {
        completed++;
      },
    );
    // @nestjs/schedule types addCronJob for jobs without onComplete; its users cast, as here.
    registry.addCronJob('with-on-complete', job as unknown as CronJob);
    job.start();
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(completed).toBe(0);
    job.stop();
    await flushMicrotasks();
    expect(completed).toBe(1);
  });
});

describe('getCronJob, getCronJobs, doesExist', () => {
  it('getCronJobs() is a Map of every job by name, decorated and dynamic, holding the same handles', () => {
    const added = jobs.addCronJob('report');
    const all = registry.getCronJobs();
    expect(all).toBeInstanceOf(Map);
    expect([...all.keys()].sort()).toEqual(['half-minute', 'hourly', 'minutely', 'report']);
    expect(all.get('report')).toBe(added);
    expect(all.get('minutely')).toBe(registry.getCronJob('minutely'));
  });

  it('getCronJob on an unknown name throws the original message', () => {
    expect(() => registry.getCronJob('missing')).toThrow(
      new Error(
        'No Cron Job was found with the given name (missing). Check that you created one with a decorator or with the create API.',
      ),
    );
  });

  it('doesExist answers per kind: a cron name is no interval or timeout', () => {
    jobs.addCronJob('report');
    expect(registry.doesExist('cron', 'report')).toBe(true);
    expect(registry.doesExist('cron', 'minutely')).toBe(true);
    expect(registry.doesExist('interval', 'report')).toBe(false);
    expect(registry.doesExist('timeout', 'report')).toBe(false);
    expect(registry.doesExist('cron', 'missing')).toBe(false);
  });
});

describe('deleteCronJob', () => {
  it('stops the job and forgets its name; the name can be used again', async () => {
    const job = jobs.addCronJob('report');
    job.start();
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    registry.deleteCronJob('report');
    expect(job.isActive).toBe(false);
    expect(registry.doesExist('cron', 'report')).toBe(false);
    expect(registry.getCronJobs().has('report')).toBe(false);
    expect(() => registry.getCronJob('report')).toThrow(
      new Error(
        'No Cron Job was found with the given name (report). Check that you created one with a decorator or with the create API.',
      ),
    );
    await jest.advanceTimersByTimeAsync(3 * SECOND);
    expect(jobs.ticksOf('report')).toEqual([1_000, 2_000]);

    const again = jobs.addCronJob('report');
    expect(registry.getCronJob('report')).toBe(again);
    again.start();
    await jest.advanceTimersByTimeAsync(1 * SECOND);
    expect(jobs.ticksOf('report')).toEqual([1_000, 2_000, 6_000]);
  });

  it('throws the original message for an unknown name', () => {
    expect(() => registry.deleteCronJob('missing')).toThrow(
      new Error(
        'No Cron Job was found with the given name (missing). Check that you created one with a decorator or with the create API.',
      ),
    );
  });
});

describe('shutdown', () => {
  it('stops and forgets every cron job, dynamic ones included, leaving no timer behind', async () => {
    const job = jobs.addCronJob('report');
    job.start();
    await jest.advanceTimersByTimeAsync(1 * SECOND);
    await app.close();

    expect(registry.getCronJobs().size).toBe(0);
    expect(job.isActive).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5 * SECOND);
    expect(jobs.ticksOf('report')).toEqual([1_000]);
  });
});
