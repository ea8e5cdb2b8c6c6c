import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Cron,
  CronExpression,
  CronJob,
  Interval,
  ScheduleModule,
  SchedulerRegistry,
  Timeout,
} from '../../lib/schedule/index.js';
import { TaskRegistry } from '../../lib/index.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

@Injectable()
class Jobs {
  log: string[] = [];
  constructor(readonly registry: SchedulerRegistry) {}
  @Cron(CronExpression.EVERY_SECOND, { name: 'tick' })
  tick() {
    this.log.push(`tick@${Date.now() - T0}`);
  }
  @Interval('poll', 2_500)
  poll() {
    this.log.push(`poll@${Date.now() - T0}`);
  }
  @Timeout(1_500)
  once() {
    this.log.push(`once@${Date.now() - T0}`);
  }
}

describe('nestjs-aioclock/schedule', () => {
  it('runs @Cron, @Interval and @Timeout and lists them in SchedulerRegistry', async () => {
    const app = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot({ aioclock: { logger: false } })],
      providers: [Jobs],
    }).compile();
    await app.init();
    await jest.advanceTimersByTimeAsync(5_000);
    const log = app.get(Jobs).log;
    expect(log.filter((line) => line.startsWith('poll'))).toEqual(['poll@2500', 'poll@5000']);
    expect(log.filter((line) => line.startsWith('once'))).toEqual(['once@1500']);
    expect(log.filter((line) => line.startsWith('tick'))).toHaveLength(5);
    const registry = app.get(SchedulerRegistry);
    expect([...registry.getCronJobs().keys()]).toEqual(['tick']);
    expect(registry.getIntervals()).toEqual(['poll']);
    expect(registry.getTimeouts()).toEqual(['Jobs.once']);
    const job = registry.getCronJob('tick');
    expect(job.isActive).toBe(true);
    expect(job.lastDate()).toEqual(new Date(T0 + 5_000));
    expect(job.nextDate().toJSDate()).toEqual(new Date(T0 + 6_000));
    job.stop();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(log.filter((line) => line.startsWith('tick'))).toHaveLength(5);
    const added: number[] = [];
    registry.addCronJob(
      'added',
      new CronJob('*/2 * * * * *', () => void added.push(Date.now() - T0), null, true),
    );
    await jest.advanceTimersByTimeAsync(4_000);
    expect(added).toEqual([8_000, 10_000]);
    expect(() => registry.addCronJob('added', new CronJob('* * * * *', () => {}))).toThrow(
      'Cron Job with the given name (added) already exists. Ignored.',
    );
    expect(() => registry.getCronJob('nope')).toThrow(
      'No Cron Job was found with the given name (nope). Check that you created one with a decorator or with the create API.',
    );
    const polls = () => log.filter((line) => line.startsWith('poll')).length;
    const before = polls();
    registry.deleteInterval('poll');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(polls()).toBe(before);
    expect(registry.doesExist('interval', 'poll')).toBe(false);
    expect((await app.get(TaskRegistry).getHistory('tick', { limit: 1 }))[0].status).toBe(
      'succeeded',
    );
    const closing = app.close();
    await jest.advanceTimersByTimeAsync(1_000);
    await closing;
  });
});

describe('handlers as @nestjs/schedule calls them', () => {
  @Injectable()
  class Strict {
    args: unknown[][] = [];
    @Interval('strict', 1_000)
    poll(...args: unknown[]) {
      this.args.push(args);
    }
    @Cron(CronExpression.EVERY_HOUR, { name: 'broken' })
    broken() {
      throw new Error('kaboom');
    }
  }

  it('get no argument, and fireOnTick of a failing job resolves (the failure is logged and recorded)', async () => {
    const app = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot({ aioclock: { logger: false } })],
      providers: [Strict],
    }).compile();
    await app.init();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(app.get(Strict).args).toEqual([[]]);
    const errors: unknown[] = [];
    const job = app.get(SchedulerRegistry).getCronJob('broken');
    await expect(job.fireOnTick()).resolves.toBeUndefined();
    const added = CronJob.from({
      cronTime: '0 * * * *',
      onTick: () => {
        throw new Error('from a job');
      },
      errorHandler: (error) => void errors.push(error),
    });
    app.get(SchedulerRegistry).addCronJob('handled', added);
    await added.fireOnTick();
    expect(errors).toHaveLength(1);
    const history = await app.get(TaskRegistry).getHistory('broken');
    expect(history[0]).toMatchObject({ status: 'failed', error: { message: 'kaboom' } });
    const closing = app.close();
    await jest.advanceTimersByTimeAsync(1_000);
    await closing;
  });
});

describe('@Interval and @Timeout delays', () => {
  it('refuse at bootstrap a delay no Node timer can hold, naming the job (it would fire every 1 ms)', async () => {
    @Injectable()
    class TooLong {
      @Interval('too-long', 3e9)
      poll() {}
    }
    const app = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot({ aioclock: { logger: false } })],
      providers: [TooLong],
    }).compile();
    await expect(app.init()).rejects.toThrow("@Interval('too-long'): invalid option ms");
  });
});
