import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  Cron,
  InMemoryCoordinator,
  Task,
  TaskRegistry,
  type TaskContext,
  type TaskMetadata,
} from '../../lib/index.js';
import { replica } from './replica-app.js';
import { closeAll, takingTurns } from './replicas.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

// Syncs fall between the ticks (whole seconds), so whether a read sees a run is plain.
const SYNC = { syncInterval: 2_200 };

useFakeClock();

/** Task `charge` every second; the run of an even second fails. `ran` lists who ran what. */
function billing(ran: string[]) {
  @Injectable()
  class Billing {
    replica = '';
    @Task(new Cron('* * * * * *'), { name: 'charge' })
    charge(context: TaskContext) {
      const second = (context.scheduledAt!.getTime() - T0) / 1_000;
      ran.push(`${this.replica}@${second}`);
      if (second % 2 === 0) throw new Error(`declined at ${second}`);
    }
  }
  return Billing;
}

async function replicas(names: string[], ran: string[], store: InMemoryCoordinator) {
  const Billing = billing(ran);
  return Promise.all(
    names.map((name, index) =>
      replica(name, Billing, { ...SYNC, coordinator: takingTurns(store, index, names.length) }),
    ),
  );
}

const charge = (app: TestingModule): TaskMetadata => app.get(TaskRegistry).getTasks()[0]!;
const totals = ({ runCount, counters, lastRun }: TaskMetadata) => ({
  runCount,
  counters,
  lastRun: lastRun && { scheduledAt: lastRun.scheduledAt, status: lastRun.status },
});

describe('run counters are the cluster’s', () => {
  it('every replica shows the same totals of runs spread across them, within one sync interval', async () => {
    const ran: string[] = [];
    const store = new InMemoryCoordinator();
    const apps = await replicas(['a', 'b', 'c'], ran, store);
    await jest.advanceTimersByTimeAsync(6_500);
    await apps[0].get(TaskRegistry).pause('charge');
    // Each replica ran two of the six ticks.
    for (const name of ['a', 'b', 'c']) {
      expect(ran.filter((run) => run.startsWith(name))).toHaveLength(2);
    }
    await jest.advanceTimersByTimeAsync(SYNC.syncInterval);
    const expected = {
      runCount: 6,
      counters: { succeeded: 3, failed: 3, timedOut: 0, skipped: 0, missed: 0, cancelled: 0 },
      lastRun: { scheduledAt: new Date(T0 + 6_000), status: 'failed' },
    };
    for (const app of apps) {
      expect(totals(charge(app))).toEqual(expected);
      expect(totals(app.get(TaskRegistry).getTask('charge'))).toEqual(expected);
    }
    await closeAll(apps);
  });

  it("shows this replica's own run at once, and the others' at the next sync", async () => {
    const ran: string[] = [];
    const apps = await replicas(['a', 'b', 'c'], ran, new InMemoryCoordinator());
    await jest.advanceTimersByTimeAsync(1_500);
    // Second 1 is b's; nobody has read the store since it ran.
    expect(ran).toEqual(['b@1']);
    expect(charge(apps[1])).toMatchObject({ runCount: 1, lastRun: { status: 'succeeded' } });
    expect(charge(apps[0])).toMatchObject({ runCount: 0, lastRun: null });
    await jest.advanceTimersByTimeAsync(800); // the sync at 2.2 s
    for (const app of apps) expect(charge(app).runCount).toBe(2);
    await closeAll(apps);
  });

  it('keeps the totals across a restart of every replica, and counts on from them', async () => {
    const ran: string[] = [];
    const store = new InMemoryCoordinator();
    const first = await replicas(['a', 'b'], ran, store);
    await jest.advanceTimersByTimeAsync(4_500);
    await first[0].get(TaskRegistry).pause('charge');
    await closeAll(first);
    expect(ran).toHaveLength(4);

    const [restarted] = await replicas(['c'], ran, store);
    expect(totals(charge(restarted))).toMatchObject({
      runCount: 4,
      counters: { succeeded: 2, failed: 2 },
      lastRun: { scheduledAt: new Date(T0 + 4_000), status: 'failed' },
    });
    await restarted.get(TaskRegistry).resume('charge');
    // Its own runs add to the totals at once, before any sync.
    await jest.advanceTimersByTimeAsync(1_000);
    expect(ran).toHaveLength(5);
    expect(totals(charge(restarted))).toMatchObject({ runCount: 5, counters: { succeeded: 3 } });
    await jest.advanceTimersByTimeAsync(2_000 + SYNC.syncInterval);
    const now = charge(restarted);
    expect(ran).toHaveLength(9);
    expect(now.runCount).toBe(9);
    expect(now.counters.succeeded + now.counters.failed).toBe(9);
    await closeAll([restarted]);
  });
});
