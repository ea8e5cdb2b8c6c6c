import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import { Cron, Forever, InMemoryCoordinator, type TaskContext } from '../../lib/index.js';
import type { SchedulerLogger } from '../../lib/runner/scheduler-logger.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';

// Users set `instanceId` to a pod or host name; two processes may then share one (a
// misconfiguration, or a replica restarted under its old name while the old one still lives).
// Neither may pass for the other in the store: each tick runs once, each lease has one holder.

const T0 = new Date('2026-01-01T00:00:00Z').getTime();
beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(() => {
  jest.useRealTimers();
});

const quiet: SchedulerLogger = { log() {}, warn() {}, error() {}, debug() {} };

function replica(store: InMemoryCoordinator, instanceId: string): TaskScheduler {
  return new TaskScheduler({
    logger: quiet,
    triggerDefaults: { timeZone: 'UTC' },
    cluster: { coordinator: store, instanceId, leaseTtl: 3_000 },
  });
}

describe('cluster: two processes with the same instanceId', () => {
  it('run each tick once between them', async () => {
    const store = new InMemoryCoordinator();
    const ran: number[] = [];
    const schedulers = [replica(store, 'pod'), replica(store, 'pod')];
    for (const scheduler of schedulers) {
      scheduler.register({
        name: 'charge',
        trigger: new Cron('* * * * * *'),
        handler: (context: TaskContext) => void ran.push(context.scheduledAt!.getTime() - T0),
      });
    }
    await Promise.all(schedulers.map((scheduler) => scheduler.start()));
    await jest.advanceTimersByTimeAsync(5_500);
    await Promise.all(schedulers.map((scheduler) => scheduler.shutdown()));
    expect(ran).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
  });

  it('never both hold the lease of a leader task', async () => {
    const store = new InMemoryCoordinator();
    const leading: string[] = [];
    const schedulers = [replica(store, 'pod'), replica(store, 'pod')];
    schedulers.forEach((scheduler, index) => {
      scheduler.register({
        name: 'consume',
        trigger: new Forever(),
        handler: async ({ signal }: TaskContext) => {
          leading.push(`process-${index}`);
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        },
      });
    });
    await Promise.all(schedulers.map((scheduler) => scheduler.start()));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(leading).toHaveLength(1);
    const stopped = Promise.all(schedulers.map((scheduler) => scheduler.shutdown()));
    await jest.advanceTimersByTimeAsync(15_000);
    await stopped;
  });
});
