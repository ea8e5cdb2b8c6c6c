import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AioClockModule,
  Cron,
  Every,
  InMemoryCoordinator,
  Task,
  TaskDeclarationError,
  TaskRegistry,
  type TaskContext,
} from '../../lib/index.js';
import { messages } from '../../lib/errors.js';
import { closeUnderFakeTimers } from '../fixtures/testing-module.js';
import { replica } from './replica-app.js';
import { StoreDown } from './replicas.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

/** Every run of every replica, as the ledger of a cluster test. */
interface LedgerEntry {
  replica: string;
  task: string;
  scheduledAt: number;
  idempotencyKey: string | null;
  fencingToken: number | null;
}

useFakeClock();

/** A provider with ten tasks every second, as every replica declares it. */
function tenSecondlyTasks(ledger: LedgerEntry[]) {
  @Injectable()
  class Billing {
    replica = '';
    constructor() {}
  }
  for (let i = 0; i < 10; i++) {
    const method = `charge${i}`;
    Object.defineProperty(Billing.prototype, method, {
      value: function (this: Billing, context: TaskContext) {
        ledger.push({
          replica: this.replica,
          task: context.taskName,
          scheduledAt: context.scheduledAt!.getTime(),
          idempotencyKey: context.idempotencyKey,
          fencingToken: context.fencingToken,
        });
      },
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(Billing.prototype, method)!;
    Task(new Cron('* * * * * *'), { name: `charge-${i}` })(Billing.prototype, method, descriptor);
  }
  return Billing;
}

describe('cluster mode on a shared InMemoryCoordinator', () => {
  it('runs each (task, tick) once across 3 replicas: none twice, none missing', async () => {
    const ledger: LedgerEntry[] = [];
    const coordinator = new InMemoryCoordinator();
    const Billing = tenSecondlyTasks(ledger);
    const apps = [
      await replica('a', Billing, { coordinator }),
      await replica('b', Billing, { coordinator }),
      await replica('c', Billing, { coordinator }),
    ];
    await jest.advanceTimersByTimeAsync(60_000);
    const keys = ledger.map((entry) => `${entry.task}@${entry.scheduledAt}`);
    expect(new Set(keys).size).toBe(keys.length); // no tick twice
    for (let i = 0; i < 10; i++) {
      const ticks = ledger
        .filter((entry) => entry.task === `charge-${i}`)
        .map((entry) => entry.scheduledAt)
        .sort((x, y) => x - y);
      // Every second from 1 s to 60 s: none missing.
      expect(ticks).toEqual(Array.from({ length: 60 }, (_, k) => T0 + 1_000 * (k + 1)));
    }
    // Side effects can be made once: the key is the tick, the token grows with each tick.
    const first = ledger.find((entry) => entry.task === 'charge-0')!;
    expect(first.idempotencyKey).toBe(
      `${apps[0].get(TaskRegistry).getTask('charge-0').id}:${T0 + 1_000}`,
    );
    const tokens = ledger.filter((e) => e.task === 'charge-0').map((e) => e.fencingToken!);
    expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
    // The history is the store's: the same on every replica, with the replica that ran each tick.
    const histories = await Promise.all(
      apps.map((app) => app.get(TaskRegistry).getHistory('charge-3', { limit: 5 })),
    );
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);
    expect(histories[0][0]).toMatchObject({ status: 'succeeded', fencingToken: 60 });
    expect(['a', 'b', 'c']).toContain(histories[0][0].instanceId);
    for (const app of apps) await closeUnderFakeTimers(app);
  });

  it('a replica that joins late runs no tick the others ran', async () => {
    const ledger: LedgerEntry[] = [];
    const coordinator = new InMemoryCoordinator();
    const Billing = tenSecondlyTasks(ledger);
    const a = await replica('a', Billing, { coordinator });
    await jest.advanceTimersByTimeAsync(5_000);
    const b = await replica('b', Billing, { coordinator });
    await jest.advanceTimersByTimeAsync(5_000);
    const keys = ledger.map((entry) => `${entry.task}@${entry.scheduledAt}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(100);
    await closeUnderFakeTimers(a);
    await closeUnderFakeTimers(b);
  });

  it('runs a task without deterministic times (Every) on one replica, under a lease', async () => {
    const coordinator = new InMemoryCoordinator();
    let runs = 0;
    @Injectable()
    class Local {
      replica = '';
      @Task(new Every({ seconds: 1 }))
      tick() {
        runs++;
      }
    }
    const apps = [
      await replica('a', Local, { coordinator }),
      await replica('b', Local, { coordinator }),
    ];
    await jest.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(3);
    for (const app of apps) await closeUnderFakeTimers(app);
  });

  it('refuses to start a Cron or At without a zone given: replicas may run in different zones', async () => {
    @Injectable()
    class Zoneless {
      @Task(new Cron('0 9 * * *'))
      morning() {}
    }
    const build = Test.createTestingModule({
      imports: [
        AioClockModule.forRoot({
          logger: false,
          cluster: { coordinator: new InMemoryCoordinator() },
        }),
      ],
      providers: [Zoneless],
    }).compile();
    const app = await build;
    await expect(app.init()).rejects.toThrow(TaskDeclarationError);
    await expect(app.init()).rejects.toThrow(messages.clusterNeedsZone('Zoneless.morning'));
  });

  it('rejects a cluster option without a coordinator, naming the field', async () => {
    const build = Test.createTestingModule({
      imports: [AioClockModule.forRoot({ cluster: { coordinator: {} as never } })],
    }).compile();
    await expect(build).rejects.toThrow('AioClockModule: invalid option cluster.coordinator');
  });
});

describe('a store that cannot be reached', () => {
  it('runs no tick while down, logs the outage once and the return once, and shows it in status()', async () => {
    const ledger: LedgerEntry[] = [];
    const coordinator = new StoreDown('claimTicks');
    const Billing = tenSecondlyTasks(ledger);
    const errors: string[] = [];
    const logs: string[] = [];
    const app = await Test.createTestingModule({
      imports: [
        AioClockModule.forRoot({
          timeZone: 'UTC',
          cluster: { coordinator, instanceId: 'solo' },
          logger: {
            log: (message: string) => void logs.push(message),
            warn: () => {},
            error: (message: string) => void errors.push(message),
          },
        }),
      ],
      providers: [Billing],
    }).compile();
    await app.init();
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(ledger).toHaveLength(20);
    expect(registry.status().cluster).toMatchObject({ store: 'memory', reachable: true });
    coordinator.down = true;
    await jest.advanceTimersByTimeAsync(3_000);
    expect(ledger).toHaveLength(20); // at most once: nothing runs without a claim
    expect(errors).toEqual([messages.storeUnreachable('memory', 'ECONNREFUSED')]);
    expect(registry.status().cluster).toMatchObject({ reachable: false });
    coordinator.down = false;
    await jest.advanceTimersByTimeAsync(1_000);
    // Back at 6 s: the tick of 6 s runs (it stands for the late run 'runOnce' would make), and
    // the outage's ticks (3, 4, 5 s) are recorded missed, once.
    const ticksOf0 = ledger
      .filter((entry) => entry.task === 'charge-0')
      .map((e) => e.scheduledAt - T0);
    expect(ticksOf0.sort((x, y) => x - y)).toEqual([1_000, 2_000, 6_000]);
    expect(ledger).toHaveLength(30);
    expect(logs).toContain(messages.storeReachable('memory'));
    // The ticks of the outage were recorded missed once each, cluster-wide.
    await jest.advanceTimersByTimeAsync(0);
    const history = await registry.getHistory('charge-0', { limit: 10 });
    const missed = history.filter((record) => record.status === 'missed');
    expect(missed.map((record) => record.scheduledAt!.getTime() - T0).sort()).toEqual([
      3_000, 4_000, 5_000,
    ]);
    expect(registry.status()).toMatchObject({
      state: 'running',
      tasks: 10,
      cluster: { reachable: true, lastContactAt: new Date(T0 + 6_000) },
    });
    await closeUnderFakeTimers(app);
  });
});

describe('ticks missed while every replica was down', () => {
  it("are claimed once at the next start: the newest runs (misfire 'runOnce'), the older are recorded missed", async () => {
    const ledger: LedgerEntry[] = [];
    const coordinator = new InMemoryCoordinator();
    const Billing = tenSecondlyTasks(ledger);
    const a = await replica('a', Billing, { coordinator });
    await jest.advanceTimersByTimeAsync(2_500); // ticks 1 s and 2 s run
    await closeUnderFakeTimers(a, 0);
    await jest.advanceTimersByTimeAsync(2_000); // 3 s and 4 s: nobody is up
    const b = await replica('b', Billing, { coordinator });
    await jest.advanceTimersByTimeAsync(1_000);
    const charge0 = ledger.filter((entry) => entry.task === 'charge-0');
    expect(charge0.map((entry) => [entry.replica, entry.scheduledAt - T0])).toEqual([
      ['a', 1_000],
      ['a', 2_000],
      ['b', 4_000], // caught up once, 0.5 s late
      ['b', 5_000],
    ]);
    const history = await b.get(TaskRegistry).getHistory('charge-0', { limit: 10 });
    expect(
      history.map((record) => [record.status, record.scheduledAt!.getTime() - T0]).reverse(),
    ).toEqual([
      ['succeeded', 1_000],
      ['succeeded', 2_000],
      ['missed', 3_000],
      ['succeeded', 4_000],
      ['succeeded', 5_000],
    ]);
    await closeUnderFakeTimers(b);
  });
});
