import { describe, it, expect, jest } from '@jest/globals';
import { Cron, Forever, InMemoryCoordinator, type TaskContext } from '../../lib/index.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';
import { bareReplica } from './replicas.js';

// Users set `instanceId` to a pod or host name; two processes may then share one (a
// misconfiguration, or a replica restarted under its old name while the old one still lives).
// Neither may pass for the other in the store: each tick runs once, each lease has one holder.

useFakeClock();

const replica = (store: InMemoryCoordinator, instanceId: string) =>
  bareReplica(store, instanceId, { leaseTtl: 3_000 });

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
