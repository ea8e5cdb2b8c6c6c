import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { CronExpression, CronJob, CronTime, SchedulerRegistry } from '../../lib/schedule/index.js';
import {
  Archiver,
  ClockCron,
  DelayedCron,
  DisabledCron,
  ExclusiveCron,
  FailingCron,
  FirstSharedCron,
  InvalidExpressionCron,
  InvalidZoneCron,
  OverlappingCron,
  ReportsController,
  SecondSharedCron,
  SelfStoppingCron,
  UnnamedCron,
  ZonedCron,
} from './fixtures/cron.fixtures.js';
import {
  T0,
  closeDraining,
  createFixtureApp,
  type ScheduleOptions,
} from './fixtures/schedule-app.js';

// @Cron as @nestjs/schedule 12 runs it (cron 4 underneath): the tests hold on the original with
// only the import path changed, and must hold on our layer.

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

let app: INestApplication | undefined;

async function start(
  providers: NonNullable<ModuleMetadata['providers']>,
  options?: ScheduleOptions,
  controllers?: NonNullable<ModuleMetadata['controllers']>,
): Promise<INestApplication> {
  app = await createFixtureApp(providers, options, { controllers });
  await app.init();
  return app;
}

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(async () => {
  if (app) await closeDraining(app);
  app = undefined;
  jest.useRealTimers();
});

describe('@Cron schedules', () => {
  it('runs nothing before init, then ticks every second; stop() from the handler ends it', async () => {
    app = await createFixtureApp([SelfStoppingCron]);
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(app.get(SelfStoppingCron).ticks).toEqual([]);

    await app.init();
    await jest.advanceTimersByTimeAsync(6 * SECOND);
    expect(app.get(SelfStoppingCron).ticks).toEqual([3_000, 4_000, 5_000]);
    const job = app.get(SchedulerRegistry).getCronJob('self-stopping');
    expect(job.isActive).toBe(false);
    expect(job.lastDate()).toEqual(new Date(T0 + 5_000));
  });

  it('fires 30-second, 5-field minute and hourly expressions at their times', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    await jest.advanceTimersByTimeAsync(3 * HOUR);
    expect(clock.hourly).toEqual([1 * HOUR, 2 * HOUR, 3 * HOUR]);
    expect(clock.minutely).toHaveLength(180);
    expect(clock.minutely.slice(0, 3)).toEqual([MINUTE, 2 * MINUTE, 3 * MINUTE]);
    expect(clock.halfMinute).toHaveLength(360);
    expect(clock.halfMinute.slice(0, 3)).toEqual([30 * SECOND, MINUTE, 90 * SECOND]);
    const registry = app!.get(SchedulerRegistry);
    expect(registry.getCronJob('hourly').lastDate()).toEqual(new Date(T0 + 3 * HOUR));
  });

  it('lets a test keep one job by deleting every other listed one', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    const registry = app!.get(SchedulerRegistry);
    Array.from(registry.getCronJobs().keys())
      .filter((name) => name !== 'minutely')
      .forEach((name) => registry.deleteCronJob(name));
    expect(Array.from(registry.getCronJobs().keys())).toEqual(['minutely']);

    await jest.advanceTimersByTimeAsync(2 * MINUTE);
    expect(clock.minutely).toEqual([MINUTE, 2 * MINUTE]);
    expect(clock.halfMinute).toEqual([]);
    expect(clock.hourly).toEqual([]);
  });

  it('runs a job declared without a name, and stopping every listed job stops it too', async () => {
    const unnamed = (await start([UnnamedCron])).get(UnnamedCron);
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(unnamed.ticks).toEqual([1_000, 2_000]);

    const registry = app!.get(SchedulerRegistry);
    expect(registry.getCronJobs().size).toBe(1);
    registry.getCronJobs().forEach((job) => job.stop());
    await jest.advanceTimersByTimeAsync(3 * SECOND);
    expect(unnamed.ticks).toEqual([1_000, 2_000]);
  });

  it('finds cron methods inherited from a base class and on controllers', async () => {
    await start([Archiver], undefined, [ReportsController]);
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(app!.get(Archiver).ticks).toEqual([1_000, 2_000]);
    expect(app!.get(ReportsController).ticks).toEqual([1_000, 2_000]);
    const registry = app!.get(SchedulerRegistry);
    expect(registry.doesExist('cron', 'inherited-archive')).toBe(true);
    expect(registry.doesExist('cron', 'controller-cron')).toBe(true);
  });

  it('keeps ticking after a handler throws or rejects', async () => {
    const failing = (await start([FailingCron])).get(FailingCron);
    await jest.advanceTimersByTimeAsync(3 * SECOND);
    expect(failing.ticks).toEqual([1_000, 2_000, 3_000]);
    expect(failing.rejections).toEqual([1_000, 2_000, 3_000]);
  });
});

describe('@Cron options', () => {
  it('waitForCompletion: a tick that comes while the handler runs is skipped, yet is the lastDate', async () => {
    const exclusive = (await start([ExclusiveCron])).get(ExclusiveCron);
    const job = app!.get(SchedulerRegistry).getCronJob('exclusive');

    await jest.advanceTimersByTimeAsync(21 * SECOND);
    // 10 s: runs until 25 s; 20 s: skipped.
    expect(exclusive.started).toEqual([10_000]);
    expect(exclusive.finished).toEqual([]);
    expect(job.lastDate()).toEqual(new Date(T0 + 20_000));

    await jest.advanceTimersByTimeAsync(34 * SECOND);
    // 30 s: runs until 45 s; 40 s: skipped; 50 s: runs.
    expect(exclusive.started).toEqual([10_000, 30_000, 50_000]);
    expect(exclusive.finished).toEqual([25_000, 45_000]);
    expect(job.isActive).toBe(true);
  });

  it('without waitForCompletion a slow handler overlaps its next ticks', async () => {
    const overlapping = (await start([OverlappingCron])).get(OverlappingCron);
    await jest.advanceTimersByTimeAsync(35 * SECOND);
    expect(overlapping.started).toEqual([10_000, 20_000, 30_000]);
    expect(overlapping.finished).toEqual([25_000, 35_000]);
  });

  it('disabled: registered and inactive, never ticks until start()', async () => {
    const disabled = (await start([DisabledCron])).get(DisabledCron);
    const registry = app!.get(SchedulerRegistry);
    expect(registry.doesExist('cron', 'dormant')).toBe(true);
    const job = registry.getCronJob('dormant');
    expect(job.isActive).toBe(false);

    await jest.advanceTimersByTimeAsync(3 * SECOND);
    expect(disabled.ticks).toEqual([]);

    job.start();
    expect(job.isActive).toBe(true);
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(disabled.ticks).toEqual([4_000, 5_000]);
  });

  it('initialDelay: no tick before bootstrap + delay, then the normal schedule', async () => {
    const delayed = (await start([DelayedCron])).get(DelayedCron);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(delayed.delayed).toEqual([]);

    // The job starts at 5 s; cron fires strictly after its start, so the first tick is at 6 s.
    await jest.advanceTimersByTimeAsync(1_001);
    expect(delayed.delayed).toEqual([6_000]);
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    expect(delayed.delayed).toEqual([6_000, 7_000, 8_000]);
    expect(app!.get(SchedulerRegistry).getCronJob('delayed').isActive).toBe(true);
  });

  it('initialDelay with disabled: never starts by itself, start() still works', async () => {
    const delayed = (await start([DelayedCron])).get(DelayedCron);
    const job = app!.get(SchedulerRegistry).getCronJob('delayed-and-disabled');
    expect(job.isActive).toBe(false);

    await jest.advanceTimersByTimeAsync(10 * SECOND);
    expect(delayed.delayedAndDisabled).toEqual([]);
    expect(job.isActive).toBe(false);

    job.start();
    await jest.advanceTimersByTimeAsync(1 * SECOND);
    expect(delayed.delayedAndDisabled).toEqual([11_000]);
  });

  it('initialDelay: a shutdown while the delay is pending starts nothing', async () => {
    const a = await start([DelayedCron]);
    const delayed = a.get(DelayedCron);
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    await a.close();
    app = undefined;

    await jest.advanceTimersByTimeAsync(10 * SECOND);
    expect(delayed.delayed).toEqual([]);
  });

  it('initialDelay: a job deleted during the delay stays deleted, and a new one under its name is not started', async () => {
    const delayed = (await start([DelayedCron])).get(DelayedCron);
    const registry = app!.get(SchedulerRegistry);
    await jest.advanceTimersByTimeAsync(1 * SECOND);
    registry.deleteCronJob('delayed');
    expect(registry.doesExist('cron', 'delayed')).toBe(false);

    const replacementTicks: number[] = [];
    const replacement = new CronJob(CronExpression.EVERY_SECOND, () => {
      replacementTicks.push(Date.now() - T0);
    });
    registry.addCronJob('delayed', replacement);

    await jest.advanceTimersByTimeAsync(10 * SECOND);
    expect(delayed.delayed).toEqual([]);
    expect(replacementTicks).toEqual([]);
    expect(replacement.isActive).toBe(false);
  });

  it('timeZone and utcOffset (minutes): "every day at 9" fires at 9:00 in that zone or offset', async () => {
    const zoned = (await start([ZonedCron])).get(ZonedCron);
    const registry = app!.get(SchedulerRegistry);
    expect(registry.getCronJob('new-york-9am').nextDate().toISO()).toBe(
      '2026-01-01T09:00:00.000-05:00',
    );
    expect(registry.getCronJob('plus-0530-9am').nextDate().toISO()).toBe(
      '2026-01-01T09:00:00.000+05:30',
    );
    expect(registry.getCronJob('minus-0300-9am').nextDate().toISO()).toBe(
      '2026-01-01T09:00:00.000-03:00',
    );
    expect(registry.getCronJob('utc-9am').nextDate().toISO()).toBe('2026-01-01T09:00:00.000Z');

    await jest.advanceTimersByTimeAsync(24 * HOUR);
    // 09:00+05:30 = 03:30Z, 09:00Z, 09:00-03:00 = 12:00Z, 09:00 EST = 14:00Z.
    expect(zoned.kolkataOffset).toEqual([3.5 * HOUR]);
    expect(zoned.utc).toEqual([9 * HOUR]);
    expect(zoned.saoPauloOffset).toEqual([12 * HOUR]);
    expect(zoned.newYork).toEqual([14 * HOUR]);
    expect(registry.getCronJob('new-york-9am').nextDate().toJSDate()).toEqual(
      new Date('2026-01-02T14:00:00.000Z'),
    );
  });

  it('rejects bootstrap when two providers declare the same cron name', async () => {
    const a = await createFixtureApp([FirstSharedCron, SecondSharedCron]);
    await expect(a.init()).rejects.toThrow(
      'Cron Job with the given name (shared) already exists. Ignored.',
    );
  });

  it('rejects bootstrap for an invalid expression or an unknown time zone', async () => {
    const badExpression = await createFixtureApp([InvalidExpressionCron]);
    await expect(badExpression.init()).rejects.toThrow();
    const badZone = await createFixtureApp([InvalidZoneCron]);
    await expect(badZone.init()).rejects.toThrow();
  });
});

describe('the CronJob handle of a decorated job', () => {
  it('tells isActive, lastDate (null before the first tick) and the next dates', async () => {
    await start([ClockCron]);
    const registry = app!.get(SchedulerRegistry);
    const job = registry.getCronJob('half-minute');
    expect(registry.getCronJob('half-minute')).toBe(job);
    expect(registry.getCronJobs().get('half-minute')).toBe(job);
    expect(job.isActive).toBe(true);
    expect(job.lastDate()).toBeNull();

    const next = job.nextDate();
    expect(next.toJSDate()).toEqual(new Date(T0 + 30_000));
    expect(next.toMillis()).toBe(T0 + 30_000);
    expect(next.toISO()).toBe('2026-01-01T00:00:30.000Z');
    expect(job.nextDates(3).map((date) => date.toJSDate().getTime() - T0)).toEqual([
      30_000, 60_000, 90_000,
    ]);

    await jest.advanceTimersByTimeAsync(45 * SECOND);
    expect(job.lastDate()).toEqual(new Date(T0 + 30_000));
    expect(job.nextDate().toMillis()).toBe(T0 + 60_000);
  });

  it('stop() pauses a job, start() resumes it from the next matching time', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    const job = app!.get(SchedulerRegistry).getCronJob('minutely');
    await jest.advanceTimersByTimeAsync(30 * SECOND);
    job.stop();
    expect(job.isActive).toBe(false);
    // A stopped job still tells when its expression matches next.
    expect(job.nextDate().toMillis()).toBe(T0 + MINUTE);

    await jest.advanceTimersByTimeAsync(2 * MINUTE);
    expect(clock.minutely).toEqual([]);

    job.start();
    expect(job.isActive).toBe(true);
    await jest.advanceTimersByTimeAsync(30 * SECOND);
    expect(clock.minutely).toEqual([3 * MINUTE]);
  });

  it('start() on a running job changes nothing', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    const job = app!.get(SchedulerRegistry).getCronJob('minutely');
    job.start();
    job.start();
    await jest.advanceTimersByTimeAsync(2 * MINUTE);
    expect(clock.minutely).toEqual([MINUTE, 2 * MINUTE]);
  });

  it('setTime(new CronTime(...)) reschedules a running job, which stays running', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    const job = app!.get(SchedulerRegistry).getCronJob('minutely');
    job.setTime(new CronTime('*/20 * * * * *'));
    expect(job.isActive).toBe(true);
    expect(job.nextDate().toMillis()).toBe(T0 + 20_000);

    await jest.advanceTimersByTimeAsync(MINUTE);
    expect(clock.minutely).toEqual([20_000, 40_000, 60_000]);
  });

  it('setTime on a stopped job changes its schedule but does not start it', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    const job = app!.get(SchedulerRegistry).getCronJob('minutely');
    job.stop();
    job.setTime(new CronTime('*/20 * * * * *'));
    expect(job.isActive).toBe(false);
    await jest.advanceTimersByTimeAsync(MINUTE);
    expect(clock.minutely).toEqual([]);

    job.start();
    await jest.advanceTimersByTimeAsync(20 * SECOND);
    expect(clock.minutely).toEqual([80_000]);
  });

  it("setTime takes the new CronTime's zone", async () => {
    await start([ZonedCron]);
    const job = app!.get(SchedulerRegistry).getCronJob('utc-9am');
    job.setTime(new CronTime(CronExpression.EVERY_DAY_AT_9AM, 'Asia/Tokyo'));
    // T0 is 09:00 in Tokyo: the next 9:00 there is the next day.
    expect(job.nextDate().toISO()).toBe('2026-01-02T09:00:00.000+09:00');
    expect(job.nextDate().toJSDate()).toEqual(new Date('2026-01-02T00:00:00.000Z'));
  });

  it('fireOnTick() runs the handler now and leaves the schedule as it was', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    const job = app!.get(SchedulerRegistry).getCronJob('minutely');
    await jest.advanceTimersByTimeAsync(10 * SECOND);
    await job.fireOnTick();
    expect(clock.minutely).toEqual([10_000]);
    await jest.advanceTimersByTimeAsync(50 * SECOND);
    expect(clock.minutely).toEqual([10_000, MINUTE]);
  });

  it('deleteCronJob stops a decorated job for good', async () => {
    const clock = (await start([ClockCron])).get(ClockCron);
    const registry = app!.get(SchedulerRegistry);
    const job = registry.getCronJob('minutely');
    registry.deleteCronJob('minutely');
    expect(job.isActive).toBe(false);
    expect(registry.doesExist('cron', 'minutely')).toBe(false);
    await jest.advanceTimersByTimeAsync(3 * MINUTE);
    expect(clock.minutely).toEqual([]);
    expect(clock.halfMinute).toHaveLength(6);
  });
});
