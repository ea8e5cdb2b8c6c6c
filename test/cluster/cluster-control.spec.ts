import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AioClockModule,
  Cron,
  DuplicateRunRequestError,
  InMemoryCoordinator,
  Task,
  TaskRegistry,
  type ClusterOptions,
  type TaskContext,
  type TaskPolicies,
} from '../../lib/index.js';
import { messages } from '../../lib/errors.js';
import { BaseTrigger } from '../../lib/triggers/base.trigger.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { replica } from './replica-app.js';
import { closeAll, takingTurns } from './replicas.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

/** One run of the task `charge` on some replica (ms since T0). */
interface Entry {
  replica: string;
  scheduledAt: number | null;
  startedAt: number;
  endedAt: number | null;
}

useFakeClock();

/** A provider whose task `charge` runs every second (or as `trigger` says) for `busyMs`. */
function billing(
  ledger: Entry[],
  { trigger = new Cron('* * * * * *'), busyMs = 0, policies = {} as TaskPolicies } = {},
) {
  @Injectable()
  class Billing {
    replica = '';
    @Task(trigger, { name: 'charge', ...policies })
    async charge(context: TaskContext) {
      const entry: Entry = {
        replica: this.replica,
        scheduledAt: context.scheduledAt && context.scheduledAt.getTime() - T0,
        startedAt: Date.now() - T0,
        endedAt: null,
      };
      ledger.push(entry);
      if (busyMs > 0) await sleep(busyMs);
      entry.endedAt = Date.now() - T0;
    }
  }
  return Billing;
}

/** Replicas on one store that take turns winning the ticks (see takingTurns). */
async function replicas(
  names: string[],
  provider: new () => { replica: string },
  store: InMemoryCoordinator,
  cluster: Omit<ClusterOptions, 'instanceId' | 'coordinator'> = {},
): Promise<TestingModule[]> {
  return Promise.all(
    names.map((name, index) =>
      replica(name, provider, { ...cluster, coordinator: takingTurns(store, index, names.length) }),
    ),
  );
}

const scheduledTimes = (ledger: Entry[]) => ledger.map((entry) => entry.scheduledAt);

describe('pause, resume and setTrigger reach every replica', () => {
  it('pause on one replica stops runs on all once committed; the others show it within one sync interval', async () => {
    const ledger: Entry[] = [];
    const coordinator = new InMemoryCoordinator();
    // A long sync interval: the store, not the sync, must stop the others' runs.
    const sync = { syncInterval: 3_000 };
    const [a, b, c] = await replicas(['a', 'b', 'c'], billing(ledger), coordinator, sync);
    const events: string[] = [];
    b.get(TaskRegistry).events$.subscribe((event) => events.push(event.type));
    await jest.advanceTimersByTimeAsync(3_500);
    expect(scheduledTimes(ledger)).toEqual([1_000, 2_000, 3_000]);

    const paused = await a.get(TaskRegistry).pause('charge');
    expect(paused.paused).toBe(true);
    await jest.advanceTimersByTimeAsync(2_999);
    expect(b.get(TaskRegistry).getTask('charge').paused).toBe(true);
    expect(c.get(TaskRegistry).getTask('charge').paused).toBe(true);
    expect(events).toContain('paused');
    await jest.advanceTimersByTimeAsync(3_000);
    expect(scheduledTimes(ledger)).toEqual([1_000, 2_000, 3_000]);
    // A paused tick is neither run nor recorded.
    const history = await c.get(TaskRegistry).getHistory('charge', { limit: 10 });
    expect(history).toHaveLength(3);

    await c.get(TaskRegistry).resume('charge');
    await jest.advanceTimersByTimeAsync(3_000);
    expect(a.get(TaskRegistry).getTask('charge').paused).toBe(false);
    expect(b.get(TaskRegistry).getTask('charge').paused).toBe(false);
    await jest.advanceTimersByTimeAsync(3_000);
    // Runs go on from the resume, each tick once.
    const after = scheduledTimes(ledger).slice(3);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(new Set(after).size).toBe(after.length);
    expect(after.every((at) => at! > 9_500)).toBe(true);
    await closeAll([a, b, c]);
  });

  it('setTrigger reaches every replica; no tick of the old schedule runs after the commit', async () => {
    const ledger: Entry[] = [];
    const coordinator = new InMemoryCoordinator();
    const sync = { syncInterval: 3_000 };
    const apps = await replicas(['a', 'b', 'c'], billing(ledger), coordinator, sync);
    // Between two syncs (at 3 s and 6 s): a and c plan 4 s and 5 s on the old trigger.
    await jest.advanceTimersByTimeAsync(3_500);
    const changed = await apps[1]
      .get(TaskRegistry)
      .setTrigger('charge', new Cron('*/5 * * * * *', { tz: 'UTC' }));
    expect(changed.trigger).toMatchObject({ type: 'Cron', expression: '*/5 * * * * *' });
    const before = ledger.length;
    await jest.advanceTimersByTimeAsync(3_000);
    for (const app of apps) {
      expect(app.get(TaskRegistry).getTask('charge').trigger).toMatchObject({
        expression: '*/5 * * * * *',
      });
    }
    await jest.advanceTimersByTimeAsync(4_000);
    expect(scheduledTimes(ledger.slice(before))).toEqual([5_000, 10_000]);
    await closeAll(apps);
  });

  it('a restarted replica keeps the pause, and plans nothing until resumed', async () => {
    const ledger: Entry[] = [];
    const coordinator = new InMemoryCoordinator();
    const Billing = billing(ledger);
    const first = await replicas(['a', 'b'], Billing, coordinator);
    await jest.advanceTimersByTimeAsync(1_500);
    await first[0].get(TaskRegistry).pause('charge');
    await closeAll(first);
    const runs = ledger.length;

    const restarted = await replica('c', Billing, { coordinator });
    const registry = restarted.get(TaskRegistry);
    expect(registry.getTask('charge')).toMatchObject({ paused: true, nextRunAt: null });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(ledger).toHaveLength(runs);
    await registry.resume('charge');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(ledger.length).toBe(runs + 2);
    await closeAll([restarted]);
  });

  it('a disabled task stays paused everywhere when only its trigger changes', async () => {
    @Injectable()
    class Dormant {
      replica = '';
      @Task(new Cron('* * * * * *'), { name: 'dormant', disabled: true })
      dormant() {}
    }
    const apps = await replicas(['a', 'b'], Dormant, new InMemoryCoordinator());
    await apps[0].get(TaskRegistry).setTrigger('dormant', new Cron('*/2 * * * * *', { tz: 'UTC' }));
    await jest.advanceTimersByTimeAsync(1_500);
    const onB = apps[1].get(TaskRegistry).getTask('dormant');
    expect(onB).toMatchObject({ paused: true, trigger: { expression: '*/2 * * * * *' } });
    await closeAll(apps);
  });

  it('refuses, naming the task, a trigger that cannot be rebuilt on the other replicas', async () => {
    class EveryOtherSecond extends BaseTrigger {
      override get deterministic() {
        return true;
      }
      nextWait(): number {
        return 2_000;
      }
      describe() {
        return { type: 'EveryOtherSecond' };
      }
    }
    const coordinator = new InMemoryCoordinator();
    const [a] = await replicas(['a'], billing([]), coordinator);
    await expect(a.get(TaskRegistry).setTrigger('charge', new EveryOtherSecond())).rejects.toThrow(
      messages.triggerNotRebuildable('charge', 'EveryOtherSecond'),
    );
    expect(await coordinator.readControl([a.get(TaskRegistry).getTask('charge').id])).toEqual([
      { control: null, stats: null },
    ]);
    await closeAll([a]);
  });
});

describe('claims judged cluster-wide', () => {
  it('counts the loop budget in the store: 3 runs in all, though replicas joined late; setTrigger starts it again', async () => {
    const ledger: Entry[] = [];
    const coordinator = new InMemoryCoordinator();
    const Billing = billing(ledger, { trigger: new Cron('* * * * * *', { maxLoopCount: 3 }) });
    const a = await replica('a', Billing, { coordinator });
    await jest.advanceTimersByTimeAsync(2_500);
    // b and c start counting at 0 here: only the store knows that 2 of the 3 are spent.
    const late = await replicas(['b', 'c'], Billing, coordinator);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(scheduledTimes(ledger)).toEqual([1_000, 2_000, 3_000]);
    expect(late[1].get(TaskRegistry).getTask('charge').nextRunAt).toBeNull();

    await late[0]
      .get(TaskRegistry)
      .setTrigger('charge', new Cron('* * * * * *', { tz: 'UTC', maxLoopCount: 2 }));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(ledger).toHaveLength(5);
    await closeAll([a, ...late]);
  });

  it("overlap 'skip' sees a run on any replica; each skipped tick is recorded once", async () => {
    const ledger: Entry[] = [];
    const coordinator = new InMemoryCoordinator();
    const Billing = billing(ledger, { busyMs: 2_500, policies: { overlap: 'skip' } });
    const apps = await replicas(['a', 'b', 'c'], Billing, coordinator);
    await jest.advanceTimersByTimeAsync(10_200);
    // A run lasts 2.5 s: the two ticks after each run's start are skipped, wherever claimed.
    expect(scheduledTimes(ledger)).toEqual([1_000, 4_000, 7_000, 10_000]);
    for (let i = 1; i < ledger.length; i++) {
      expect(ledger[i].startedAt).toBeGreaterThanOrEqual(ledger[i - 1].endedAt!);
    }
    const history = await apps[0].get(TaskRegistry).getHistory('charge', { limit: 20 });
    const skipped = history.filter((record) => record.status === 'skipped');
    expect(skipped.map((record) => record.scheduledAt!.getTime() - T0).sort()).toEqual([
      2_000, 3_000, 5_000, 6_000, 8_000, 9_000,
    ]);
    await closeAll(apps);
  });
});

describe('runTask with a request id', () => {
  it('runs once cluster-wide for one request id, from 3 replicas', async () => {
    const ledger: Entry[] = [];
    const coordinator = new InMemoryCoordinator();
    const Billing = billing(ledger, { trigger: new Cron('0 0 * * *') });
    const apps = await replicas(['a', 'b', 'c'], Billing, coordinator);
    const outcomes = await Promise.allSettled(
      apps.map((app) => app.get(TaskRegistry).runTask('charge', { requestId: 'order-42' })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const outcome of refused) {
      const error = (outcome as PromiseRejectedResult).reason as DuplicateRunRequestError;
      expect(error).toBeInstanceOf(DuplicateRunRequestError);
      expect(error.message).toBe(messages.duplicateRunRequest('charge', 'order-42'));
    }
    expect(ledger).toHaveLength(1);
    // Another request id runs again.
    await apps[2].get(TaskRegistry).runTask('charge', { requestId: 'order-43' });
    expect(ledger).toHaveLength(2);
    await closeAll(apps);
  });

  it('dedupes within the process without a cluster', async () => {
    const ledger: Entry[] = [];
    const { app } = await createApp([billing(ledger, { trigger: new Cron('0 0 * * *') })]);
    const registry = app.get(TaskRegistry);
    await registry.runTask('charge', { requestId: 'r-1' });
    await expect(registry.runTask('charge', { requestId: 'r-1' })).rejects.toThrow(
      DuplicateRunRequestError,
    );
    await registry.runTask('charge');
    await registry.runTask('charge');
    expect(ledger).toHaveLength(3);
    await expect(registry.runTask('charge', { requestId: '' })).rejects.toThrow(
      'runTask: invalid option requestId',
    );
    await closeUnderFakeTimers(app);
  });
});

describe('cluster.syncInterval', () => {
  it('is checked at bootstrap, naming the field', async () => {
    const build = Test.createTestingModule({
      imports: [
        AioClockModule.forRoot({
          timeZone: 'UTC',
          cluster: { coordinator: new InMemoryCoordinator(), syncInterval: -5 },
        }),
      ],
    }).compile();
    await expect(build).rejects.toThrow('AioClockModule: invalid option cluster.syncInterval');
  });
});
