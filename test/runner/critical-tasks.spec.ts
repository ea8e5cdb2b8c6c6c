import { describe, it, expect, jest } from '@jest/globals';
import { Cron, Every, OptionValidationError, type TaskContext } from '../../lib/index.js';
import { messages, validationMessages } from '../../lib/errors.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { closeUnderFakeTimers, quietLogger, sleep } from '../fixtures/testing-module.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock(Date.parse('2026-01-02T08:00:00Z')); // a Friday

const overdueNames = (scheduler: TaskScheduler) =>
  scheduler.status().overdue.map((entry) => entry.task);

describe('registry.status().overdue', () => {
  it('follows the calendar: a weekday job is not due at the weekend; two failed days are overdue', async () => {
    const scheduler = new TaskScheduler({
      logger: quietLogger,
      triggerDefaults: { timeZone: 'UTC' },
    });
    let fail = false;
    scheduler.register({
      name: 'payroll',
      trigger: new Cron('0 9 * * 1-5'),
      critical: true,
      handler: () => {
        if (fail) throw new Error('bank API down');
      },
    });
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(3_600_000); // Friday 09:00 succeeds
    fail = true;
    await jest.advanceTimersByTimeAsync(2 * 86_400_000); // Sunday 09:00
    expect(overdueNames(scheduler)).toEqual([]);
    await jest.advanceTimersByTimeAsync(86_400_000 + 3_600_000); // Monday 10:00: one failure
    expect(overdueNames(scheduler)).toEqual([]);
    await jest.advanceTimersByTimeAsync(23 * 3_600_000 + 5_000); // Tuesday 09:00:05: two
    expect(scheduler.status().overdue).toEqual([
      {
        task: 'payroll',
        group: null,
        lastSucceededAt: new Date('2026-01-02T09:00:00Z'),
        dueBy: new Date('2026-01-06T09:00:01Z'),
        within: null,
      },
    ]);
    await scheduler.shutdown();
    expect(scheduler.status().overdue).toEqual([]); // only while running
  });

  it('a fixed delay counts the length of its runs: slow but healthy runs are not overdue', async () => {
    const scheduler = new TaskScheduler({ logger: quietLogger });
    scheduler.register({
      name: 'crawl',
      trigger: new Every({ seconds: 10 }),
      critical: true,
      handler: (context: TaskContext) => sleep(30_000, context.signal),
    });
    await scheduler.start();
    for (let i = 0; i < 40; i++) {
      await jest.advanceTimersByTimeAsync(5_000);
      expect(overdueNames(scheduler)).toEqual([]);
    }
    await closeUnderFakeTimers({ close: () => scheduler.shutdown() });
  });

  it('tasks not marked critical are never listed', async () => {
    const scheduler = new TaskScheduler({ logger: quietLogger });
    scheduler.register({
      name: 'flaky',
      trigger: new Every({ seconds: 1 }),
      handler: () => {
        throw new Error('always');
      },
    });
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(scheduler.status().overdue).toEqual([]);
    await closeUnderFakeTimers({ close: () => scheduler.shutdown() });
  });

  it('rejects a bad critical option, naming the task and the field', () => {
    const scheduler = new TaskScheduler({ logger: quietLogger });
    const define = (critical: unknown) => () =>
      scheduler.register({
        name: 'payroll',
        trigger: new Every({ seconds: 1 }),
        handler: () => undefined,
        critical: critical as never,
      });
    expect(define('yes')).toThrow(
      new OptionValidationError('Task "payroll"', 'critical', messages.badCritical('yes')),
    );
    expect(define({ within: 0 })).toThrow(
      new OptionValidationError(
        'Task "payroll"',
        'critical.within',
        validationMessages.notNumber({ min: 1 }, 0),
      ),
    );
    expect(define({ whithin: 5 })).toThrow(/critical\.whithin/);
  });
});
