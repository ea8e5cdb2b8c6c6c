import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { backgroundMessages, TaskSupervisor, type JobHandle } from '../../lib/background/index.js';
import { OptionValidationError } from '../../lib/errors.js';
import type { SchedulerLogger } from '../../lib/runner/scheduler-logger.js';
import { aborted } from '../fixtures/background/deferred.js';

/** A logger that keeps what it was told, by level. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const logger: SchedulerLogger = {
    log: (message) => void lines.push({ level: 'log', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
  };
  return { logger, lines };
}

/** An inline job that finishes `ms` after it starts. */
const after = (ms: number) => () =>
  new Promise<string>((resolve) => setTimeout(resolve, ms, 'done'));

describe('shutdown with a deadline, and what it logs', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('cancels running jobs at an absolute deadline and logs what it waits for, then what it cancels', async () => {
    const { logger, lines } = recordingLogger();
    const supervisor = new TaskSupervisor({ logger });
    const quick = supervisor.submit(after(300), { name: 'quick' });
    const stuck = supervisor.submit(({ signal }) => aborted(signal), { name: 'stuck' });
    const queued = supervisor.submit(after(1), { name: 'later', delay: 5_000 });
    let closed = false;
    void supervisor.shutdown({ deadline: Date.now() + 1_000 }).then(() => (closed = true));
    expect(queued.status).toBe('cancelled');
    expect(lines).toEqual([
      { level: 'log', message: backgroundMessages.shutdownWaiting(1_000, [quick, stuck], 2) },
    ]);
    await jest.advanceTimersByTimeAsync(999);
    expect([quick.status, stuck.status, closed]).toEqual(['succeeded', 'started', false]);
    await jest.advanceTimersByTimeAsync(1);
    expect(closed).toBe(true);
    expect(stuck.status).toBe('cancelled');
    await expect(stuck.result).rejects.toThrow(backgroundMessages.shutdownTimeout(1_000));
    expect(lines[1]).toEqual({
      level: 'warn',
      message: backgroundMessages.shutdownCancelling(1_000, [stuck], 1),
    });
    expect(lines).toHaveLength(2);
  });

  it('gives no grace when the deadline has passed, and logs nothing when nothing runs', async () => {
    const { logger, lines } = recordingLogger();
    const late = new TaskSupervisor({ logger });
    const stuck = late.submit(({ signal }) => aborted(signal), { name: 'stuck' });
    const closing = late.shutdown({ deadline: Date.now() - 5_000 });
    await jest.advanceTimersByTimeAsync(0);
    await closing;
    expect(stuck.status).toBe('cancelled');
    expect(lines.map((line) => line.message)).toEqual([
      backgroundMessages.shutdownWaiting(0, [stuck], 1),
      backgroundMessages.shutdownCancelling(0, [stuck], 1),
    ]);

    const { logger: quietLogger, lines: quiet } = recordingLogger();
    const idle = new TaskSupervisor({ logger: quietLogger });
    await idle.shutdown({ deadline: Date.now() + 1_000 });
    expect(quiet).toEqual([]);
  });

  it('names at most ten jobs in a log line and counts the rest', async () => {
    const { logger, lines } = recordingLogger();
    const supervisor = new TaskSupervisor({ logger });
    const jobs: JobHandle[] = [];
    for (let i = 0; i < 25; i++) jobs.push(supervisor.submit(after(100), { name: `sync-${i}` }));
    const closing = supervisor.shutdown({ timeout: 50 });
    await jest.advanceTimersByTimeAsync(50);
    await closing;
    expect(lines.map((line) => line.message)).toEqual([
      backgroundMessages.shutdownWaiting(50, jobs, 25),
      backgroundMessages.shutdownCancelling(50, jobs, 25),
    ]);
    expect(lines[0].message).toMatch(/"sync-9" \(job-\d+\) and 15 more$/);
  });

  it('finishes shutting down with a logger that throws', async () => {
    const broken: SchedulerLogger = {
      log: () => {
        throw new Error('log failed');
      },
      warn: () => {
        throw new Error('warn failed');
      },
      error: () => {},
    };
    const supervisor = new TaskSupervisor({ logger: broken });
    const stuck = supervisor.submit(() => new Promise(() => {}));
    const closing = supervisor.shutdown({ timeout: 10 });
    await jest.advanceTimersByTimeAsync(10);
    await closing;
    expect(stuck.status).toBe('cancelled');
  });

  it('refuses a timeout and a deadline together, and a deadline that is not a time', () => {
    const supervisor = new TaskSupervisor();
    expect(() => supervisor.shutdown({ timeout: 1_000, deadline: Date.now() + 1_000 })).toThrow(
      new OptionValidationError(
        'TaskSupervisor.shutdown',
        'deadline',
        backgroundMessages.timeoutAndDeadline,
      ),
    );
    expect(() => supervisor.shutdown({ deadline: NaN })).toThrow(
      new OptionValidationError(
        'TaskSupervisor.shutdown',
        'deadline',
        backgroundMessages.deadline(NaN),
      ),
    );
  });
});
