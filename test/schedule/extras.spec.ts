import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { TaskRegistry } from '../../lib/index.js';
import { SchedulerRegistry } from '../../lib/schedule/index.js';
import { RecordingLogger } from '../fixtures/testing-module.js';
import {
  DisabledCron,
  ExclusiveCron,
  FailingCron,
  RequestScopedReport,
} from './fixtures/cron.fixtures.js';
import {
  AuditedJobs,
  BoundedCron,
  EndlessCron,
  ModuleZoneCron,
  RetriedCron,
  SlowExportCron,
} from './fixtures/extras.fixtures.js';
import {
  T0,
  closeDraining,
  createFixtureApp,
  type ScheduleOptions,
} from './fixtures/schedule-app.js';

// What the layer adds to @nestjs/schedule: a shutdown that drains running ticks, run history,
// policies, native control of the same tasks, and our module options under `aioclock`. These
// differ from the original on purpose (see the README's differences table).

let app: INestApplication | undefined;
let logger: RecordingLogger;

async function start(
  providers: NonNullable<ModuleMetadata['providers']>,
  aioclock: NonNullable<ScheduleOptions['aioclock']> = {},
): Promise<INestApplication> {
  app = await createFixtureApp(providers, { aioclock: { logger, ...aioclock } });
  await app.init();
  return app;
}

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
  logger = new RecordingLogger();
});
afterEach(async () => {
  if (app) await closeDraining(app);
  app = undefined;
  jest.useRealTimers();
});

describe('shutdown drains', () => {
  it('app.close() waits for a running cron tick and starts no new one', async () => {
    const a = await start([SlowExportCron]);
    const slow = a.get(SlowExportCron);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(slow.started).toEqual([1_000]);

    let closed = false;
    const closing = a.close().then(() => {
      closed = true;
    });
    app = undefined;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(closed).toBe(false);
    expect(slow.finished).toEqual([]);

    await jest.advanceTimersByTimeAsync(4_000);
    await closing;
    expect(closed).toBe(true);
    expect(slow.finished).toEqual([6_000]);
    expect(slow.started).toEqual([1_000]);
  });

  it('aioclock.shutdownTimeout bounds how long a close waits', async () => {
    const a = await start([EndlessCron], { shutdownTimeout: 2_000 });
    await jest.advanceTimersByTimeAsync(1_500);
    let closed = false;
    const closing = a.close().then(() => {
      closed = true;
    });
    app = undefined;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(closed).toBe(true);
    await closing;
    expect(a.get(EndlessCron).started).toEqual([1_000]);
  });
});

describe('history and native control', () => {
  it('records the runs of @Cron, @Interval and @Timeout under their names', async () => {
    const a = await start([AuditedJobs]);
    await jest.advanceTimersByTimeAsync(3_000);
    const tasks = a.get(TaskRegistry);

    const cronRuns = await tasks.getHistory('audit');
    expect(
      cronRuns.map((run) => [run.status, run.scheduledAt!.getTime() - T0, run.result]),
    ).toEqual([
      ['succeeded', 3_000, 'audited'],
      ['succeeded', 2_000, 'audited'],
      ['succeeded', 1_000, 'audited'],
    ]);
    expect((await tasks.getHistory('audit-interval')).map((run) => run.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect((await tasks.getHistory('audit-timeout')).map((run) => run.status)).toEqual([
      'succeeded',
    ]);
    expect(tasks.getTasks().map((task) => task.name)).toEqual(
      expect.arrayContaining(['audit', 'audit-interval', 'audit-timeout']),
    );
  });

  it('records a tick skipped by waitForCompletion as skipped', async () => {
    const a = await start([ExclusiveCron]);
    await jest.advanceTimersByTimeAsync(26_000);
    const history = await a.get(TaskRegistry).getHistory('exclusive');
    expect(history.map((run) => [run.status, run.scheduledAt!.getTime() - T0])).toEqual(
      expect.arrayContaining([
        ['succeeded', 10_000],
        ['skipped', 20_000],
      ]),
    );
  });

  it('stop()/start() on the handle and pause/resume on TaskRegistry are one state', async () => {
    const a = await start([AuditedJobs]);
    const job = a.get(SchedulerRegistry).getCronJob('audit');
    const tasks = a.get(TaskRegistry);

    job.stop();
    expect(tasks.getTask('audit').paused).toBe(true);
    await tasks.resume('audit');
    expect(job.isActive).toBe(true);
    await tasks.pause('audit');
    expect(job.isActive).toBe(false);
    job.start();
    expect(tasks.getTask('audit').paused).toBe(false);
  });

  it('a disabled @Cron is listed as paused, and resume starts it', async () => {
    const a = await start([DisabledCron]);
    const tasks = a.get(TaskRegistry);
    expect(tasks.getTask('dormant').paused).toBe(true);
    await tasks.resume('dormant');
    expect(a.get(SchedulerRegistry).getCronJob('dormant').isActive).toBe(true);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(a.get(DisabledCron).ticks).toEqual([1_000]);
  });
});

describe('policies', () => {
  it('retry: a failing tick is retried with the backoff, and history shows each attempt', async () => {
    const a = await start([RetriedCron]);
    await jest.advanceTimersByTimeAsync(65_000);
    expect(a.get(RetriedCron).attempts).toEqual([60_000, 61_000, 62_000]);
    const history = await a.get(TaskRegistry).getHistory('sync');
    expect(history.map((run) => [run.status, run.attempt])).toEqual([
      ['succeeded', 3],
      ['failed', 2],
      ['failed', 1],
    ]);
  });

  it('timeout: a tick running past it is recorded as timed out', async () => {
    const a = await start([BoundedCron]);
    await jest.advanceTimersByTimeAsync(62_000);
    const [run] = await a.get(TaskRegistry).getHistory('bounded');
    expect(run.status).toBe('timedOut');
  });
});

describe('module options under aioclock', () => {
  it('timeZone is the zone of @Cron jobs that name none', async () => {
    const a = await start([ModuleZoneCron], { timeZone: 'Asia/Tokyo' });
    expect(a.get(SchedulerRegistry).getCronJob('module-zone-10am').nextDate().toISO()).toBe(
      '2026-01-01T10:00:00.000+09:00',
    );
    await jest.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(a.get(ModuleZoneCron).runs).toEqual([3_600_000]);
  });

  it('logger receives handler errors with the name of the job', async () => {
    await start([FailingCron]);
    await jest.advanceTimersByTimeAsync(2_000);
    const messages = logger.errors.map((entry) => entry.message);
    expect(
      messages.some((m) => m.includes('sometimes-throws') && m.includes('first tick fails')),
    ).toBe(true);
    expect(
      messages.some((m) => m.includes('sometimes-rejects') && m.includes('first async tick fails')),
    ).toBe(true);
  });
});

describe('request-scoped providers', () => {
  it('fail at bootstrap, naming the provider and method, instead of being skipped with a warning', async () => {
    const a = await createFixtureApp([RequestScopedReport]);
    await expect(a.init()).rejects.toThrow(/RequestScopedReport\.refresh.*request-scoped/);
  });
});
