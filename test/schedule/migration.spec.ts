import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
// Besides the service, the test changes one import too:
import { CronExpression, ScheduleModule, SchedulerRegistry } from '../../lib/schedule/index.js';
import { NotificationsService, StartupService } from './fixtures/notifications.service.js';

// A test suite as teams write it for @nestjs/schedule: a testing module with ScheduleModule.forRoot(),
// fake timers switched on before init, the clock moved with the synchronous advanceTimersByTime or
// runAllTimers, and a plain `await app.close()` afterwards. It must pass unchanged on the layer.

describe('NotificationsService (written for @nestjs/schedule)', () => {
  let app: INestApplication;
  let service: NotificationsService;
  let registry: SchedulerRegistry;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot()],
      providers: [NotificationsService],
    }).compile();
    app = moduleRef.createNestApplication();
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    await app.init();
    service = app.get(NotificationsService);
    registry = app.get(SchedulerRegistry);
  });

  afterEach(async () => {
    await app.close();
    jest.useRealTimers();
  });

  it('sends a digest every minute and stops after three', () => {
    jest.advanceTimersByTime(3 * 60_000);
    expect(service.digestsSent).toBe(3);
    expect(registry.getCronJob('digest').isActive).toBe(false);
    expect(registry.getCronJob('digest').lastDate()).toEqual(new Date('2026-01-01T00:03:00Z'));

    jest.advanceTimersByTime(10 * 60_000);
    expect(service.digestsSent).toBe(3);
  });

  it('flushes every 10 s and warms the cache once after 5 s', () => {
    jest.advanceTimersByTime(4_999);
    expect(service.warmedUp).toBe(false);
    jest.advanceTimersByTime(25_001);
    expect(service.warmedUp).toBe(true);
    expect(service.flushes).toBe(3);
  });

  it('schedules and cancels reminders at run time', () => {
    service.scheduleReminder('standup', CronExpression.EVERY_10_SECONDS);
    expect(registry.doesExist('cron', 'standup')).toBe(true);
    jest.advanceTimersByTime(30_000);
    expect(service.remindersSent).toBe(3);

    service.cancelReminder('standup');
    expect(registry.doesExist('cron', 'standup')).toBe(false);
    jest.advanceTimersByTime(30_000);
    expect(service.remindersSent).toBe(3);
  });

  it('lists what is scheduled', () => {
    expect([...registry.getCronJobs().keys()]).toEqual(['digest']);
    expect(registry.getIntervals()).toEqual(['flush']);
    expect(registry.getTimeouts()).toEqual(['warm-up']);
  });

  it('leaves nothing behind once closed', async () => {
    service.scheduleReminder('standup', CronExpression.EVERY_10_SECONDS);
    await app.close();
    expect(registry.getCronJobs().size).toBe(0);
    expect(registry.getIntervals()).toEqual([]);
    expect(registry.getTimeouts()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('StartupService (written for @nestjs/schedule)', () => {
  let app: INestApplication;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot()],
      providers: [StartupService],
    }).compile();
    app = moduleRef.createNestApplication();
    jest.useFakeTimers();
  });

  afterEach(async () => {
    await app.close();
    jest.useRealTimers();
  });

  it('runs one-shot work when every timer is run', async () => {
    const service = app.get(StartupService);
    expect(service.seeded).toBe(false);
    await app.init();
    jest.runAllTimers();
    expect(service.seeded).toBe(true);
    expect(service.pinged).toBe(1);
  });
});
