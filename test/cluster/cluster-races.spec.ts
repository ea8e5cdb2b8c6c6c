// Races in cluster mode found by an adversarial review: a tick won before the store's clock
// reached it (it waits, then re-reads the shared control), whenIdle while the claimer holds ticks,
// request ids of refused runs, shutdown with a claim in flight, pause and resume from two replicas.
import { describe, it, expect, jest } from '@jest/globals';
import {
  Cron,
  DuplicateRunRequestError,
  InMemoryCoordinator,
  RunSkippedError,
  type Coordinator,
  type TaskContext,
} from '../../lib/index.js';
import { messages, RunRequestNotRecordedError } from '../../lib/errors.js';
import type { TaskPolicies } from '../../lib/runner/task-policies.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';
import { sleep } from '../fixtures/testing-module.js';
import { bareReplica, skewedView } from './replicas.js';

useFakeClock();

interface Run {
  replica: string;
  /** Null for a manual run. */
  scheduledAt: number | null;
  /** ms since T0, this process's clock. */
  at: number;
}

function replica(
  name: string,
  coordinator: Coordinator,
  runs: Run[],
  { trigger = new Cron('* * * * * *'), policies = {} as Partial<TaskPolicies>, busyMs = 0 } = {},
): TaskScheduler {
  const scheduler = bareReplica(coordinator, name);
  scheduler.register({
    name: 'secondly',
    trigger,
    policies,
    handler: async (context: TaskContext) => {
      const scheduledAt = context.scheduledAt?.getTime() ?? null;
      runs.push({ replica: name, scheduledAt, at: Date.now() });
      if (busyMs > 0) await sleep(busyMs);
    },
  });
  return scheduler;
}

async function shutdownAll(...schedulers: TaskScheduler[]): Promise<void> {
  const stopping = Promise.all(schedulers.map((scheduler) => scheduler.shutdown()));
  await jest.advanceTimersByTimeAsync(60_000);
  await stopping;
}

/**
 * Replica a, its clock 500 ms ahead of the store and not measured yet, has won the tick of
 * T0+1 s within the claim tolerance and waits for the store's clock; with `withB`, replica b (in
 * sync with the store) runs beside it.
 */
async function aWaitingTick(runs: Run[], { withB = false, policies = {} } = {}) {
  const store = new InMemoryCoordinator();
  const a = replica('a', skewedView(store, -500), runs, { policies });
  const b = withB ? replica('b', skewedView(store, -500, true), runs) : null;
  await a.start();
  await b?.start();
  await jest.advanceTimersByTimeAsync(1_100);
  return { a, b: b! };
}

/** The runs started at or after `at` whose tick is not on the every-5-s grid. */
const offFiveSecondGrid = (runs: Run[], at: number) =>
  runs.filter((run) => run.at >= at && (run.scheduledAt! - T0) % 5_000 !== 0);

describe('a tick won early waits for the store; control changes committed meanwhile', () => {
  // Replica a's clock is 500 ms ahead of the store and it has not measured that yet: it claims
  // the tick of T0+1 s at T0+1 s by its clock (T0+0.5 s by the store's), wins it within the 1 s
  // claim tolerance, and waits 500 ms. Replica b, in sync, pauses the task 100 ms into that wait.
  // README: "await registry.pause(...) // committed: no replica starts a tick of it from now on".
  it('a pause committed on another replica while a won tick waits: no replica starts a tick after the pause resolved', async () => {
    const runs: Run[] = [];
    const { a, b } = await aWaitingTick(runs, { withB: true });
    await b.pause(b.get('secondly'));
    const pausedAt = Date.now();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(runs.filter((run) => run.at >= pausedAt)).toEqual([]);
    await shutdownAll(a, b);
  });

  it('setTrigger committed on another replica while a won tick waits: no tick of the old schedule starts after the commit', async () => {
    const runs: Run[] = [];
    const { a, b } = await aWaitingTick(runs, { withB: true });
    // Every 5 s from here: T0+1 s is not one of its ticks.
    await b.setTrigger(b.get('secondly'), new Cron('*/5 * * * * *'));
    const committedAt = Date.now();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(offFiveSecondGrid(runs, committedAt)).toEqual([]);
    await shutdownAll(a, b);
  });

  it('setTrigger on the replica whose won tick waits: its own old tick does not start after setTrigger resolved', async () => {
    const runs: Run[] = [];
    const { a } = await aWaitingTick(runs);
    await a.setTrigger(a.get('secondly'), new Cron('*/5 * * * * *'));
    const committedAt = Date.now();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(offFiveSecondGrid(runs, committedAt)).toEqual([]);
    await shutdownAll(a);
  });

  // A waited tick is given lateness 0 whatever happens during the wait; an event loop blocked
  // for 5 s (simulated by moving the clock) makes it start 5 s late, and misfire 'skip' (the
  // threshold is 1 s) does not see it.
  it("a waited tick that starts late is judged late: misfire 'skip' records it missed", async () => {
    const runs: Run[] = [];
    const { a } = await aWaitingTick(runs, { policies: { misfire: 'skip' } });
    // The event loop is blocked for 5 s: the clock moves, no timer fires meanwhile.
    jest.setSystemTime(Date.now() + 5_000);
    await jest.advanceTimersByTimeAsync(450);
    // Else it starts 5 s after its nominal time by the store's clock.
    expect(runs.filter((run) => run.scheduledAt === T0 + 1_000)).toEqual([]);
    const records = await a.history('secondly', 20);
    const record = records.find((r) => r.scheduledAt?.getTime() === T0 + 1_000);
    expect(record?.status).toBe('missed');
    await shutdownAll(a);
  });
});

describe('whenIdle and ticks the claimer still holds', () => {
  // A standalone runner ("serve") awaits whenIdle() then shuts down. A finite task's last tick is
  // counted, then claimed: until its claim is answered (and, since 12386f5, until it stops
  // waiting for the store's clock) the planner is empty and whenIdle resolves; the shutdown that
  // follows records the tick 'skipped' instead of running it.
  it('whenIdle does not resolve while the last tick of a finite task waits for the store', async () => {
    const store = new InMemoryCoordinator();
    const runs: Run[] = [];
    const a = replica('a', skewedView(store, -500), runs, {
      trigger: new Cron('* * * * * *', { maxLoopCount: 1 }),
    });
    await a.start();
    let idle = false;
    void a.whenIdle().then(() => (idle = true));
    await jest.advanceTimersByTimeAsync(1_100);
    expect(runs).toEqual([]);
    expect(idle).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs.map((run) => run.scheduledAt)).toEqual([T0 + 1_000]);
    expect(idle).toBe(true);
    await shutdownAll(a);
  });

  it('whenIdle does not resolve while the last tick of a finite task is being claimed (a store 20 ms away)', async () => {
    const store = new InMemoryCoordinator();
    const slow = Object.create(store) as InMemoryCoordinator;
    slow.claimTicks = async (...args) => {
      await sleep(20);
      return store.claimTicks(...args);
    };
    const runs: Run[] = [];
    const a = replica('a', slow, runs, { trigger: new Cron('* * * * * *', { maxLoopCount: 1 }) });
    await a.start();
    // What `serve` does: wait for idle, then shut down.
    const served = a.whenIdle().then(() => a.shutdown());
    await jest.advanceTimersByTimeAsync(5_000);
    await served;
    expect(runs.map((run) => run.scheduledAt)).toEqual([T0 + 1_000]);
  });
});

describe('runTask with a request id', () => {
  // A run refused anyway (overlap 'skip' with respectOverlap, a scheduler stopping) is refused
  // before its id is recorded: the client's retry, once the task is free, runs.
  it('a request refused with RunSkippedError can be retried with the same id once the task is free', async () => {
    const store = new InMemoryCoordinator();
    const runs: Run[] = [];
    const a = replica('a', store, runs, { trigger: new Cron('0 0 * * *'), busyMs: 1_000 });
    await a.start();
    const task = a.get('secondly');
    const first = a.runNow(task);
    await expect(
      a.runNow(task, { requestId: 'order-42', respectOverlap: true }),
    ).rejects.toBeInstanceOf(RunSkippedError);
    await jest.advanceTimersByTimeAsync(1_000);
    await first;
    const retry = a.runNow(task, { requestId: 'order-42', respectOverlap: true });
    retry.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(retry).resolves.toBeUndefined();
    expect(runs).toHaveLength(2);
    await shutdownAll(a);
  });

  it('a request whose id the store could not record rejects with the store error, and the id is not burned', async () => {
    const store = new InMemoryCoordinator();
    const flaky = Object.create(store) as InMemoryCoordinator & { down: boolean };
    flaky.down = true;
    flaky.claimRequest = async (...args) => {
      if (flaky.down) throw new Error('ECONNREFUSED');
      return store.claimRequest(...args);
    };
    const runs: Run[] = [];
    const a = replica('a', flaky, runs, { trigger: new Cron('0 0 * * *') });
    await a.start();
    const task = a.get('secondly');
    const refused = a.runNow(task, { requestId: 'order-42' });
    await expect(refused).rejects.toBeInstanceOf(RunRequestNotRecordedError);
    await expect(refused).rejects.toThrow(
      messages.runRequestNotRecorded('secondly', 'order-42', 'memory', 'ECONNREFUSED'),
    );
    flaky.down = false;
    await a.runNow(task, { requestId: 'order-42' });
    await expect(a.runNow(task, { requestId: 'order-42' })).rejects.toBeInstanceOf(
      DuplicateRunRequestError,
    );
    expect(runs).toHaveLength(1);
    await shutdownAll(a);
  });
});

describe('shutdown with a claim in flight', () => {
  // A store that refuses writes once closed, as Redis and PostgreSQL do (the in-memory one
  // accepts them), and answers claims 50 ms after they are sent.
  class ClosingStore extends InMemoryCoordinator {
    closed = false;
    override async claimTicks(...args: Parameters<InMemoryCoordinator['claimTicks']>) {
      await sleep(50);
      return super.claimTicks(...args);
    }
    override async appendHistory(record: Parameters<InMemoryCoordinator['appendHistory']>[0]) {
      if (this.closed) throw new Error('the connection is closed');
      return super.appendHistory(record);
    }
    override async close(): Promise<void> {
      this.closed = true;
    }
  }

  // The tick is won (the store's high-water mark passes it: no replica will run it), its reply
  // comes after shutdown closed the store, and its 'skipped' record cannot be written: it is
  // neither run nor recorded anywhere.
  it('a tick won by a claim in flight when shutdown began is recorded before the store closes', async () => {
    const store = new ClosingStore();
    const runs: Run[] = [];
    const a = replica('a', store, runs);
    await a.start();
    await jest.advanceTimersByTimeAsync(1_010);
    const stopping = a.shutdown();
    await jest.advanceTimersByTimeAsync(100);
    await stopping;
    expect(await store.lastTicks([a.get('secondly').id])).toEqual([T0 + 1_000]);
    const records = await store.listHistory(a.get('secondly').id, 10);
    expect(records.map((record) => record.scheduledAt?.getTime())).toEqual([T0 + 1_000]);
  });
});

describe('pause and resume at once from two replicas', () => {
  it('every replica ends in the state the store committed last, and runs follow it', async () => {
    const store = new InMemoryCoordinator();
    const runs: Run[] = [];
    const a = replica('a', store, runs);
    const b = replica('b', store, runs);
    await a.start();
    await b.start();
    await jest.advanceTimersByTimeAsync(1_500);
    // Sent together: the store orders them (pause, then resume).
    await Promise.all([a.pause(a.get('secondly')), b.resume(b.get('secondly'))]);
    const resumedAt = Date.now();
    await jest.advanceTimersByTimeAsync(3_000);
    expect([a.get('secondly').paused, b.get('secondly').paused]).toEqual([false, false]);
    const after = runs.filter((run) => run.scheduledAt! > resumedAt + 1_000);
    expect(after.map((run) => run.scheduledAt! - T0)).toEqual([3_000, 4_000]);
    // The other order: resume, then pause.
    await Promise.all([b.resume(b.get('secondly')), a.pause(a.get('secondly'))]);
    const pausedAt = Date.now();
    await jest.advanceTimersByTimeAsync(3_000);
    expect([a.get('secondly').paused, b.get('secondly').paused]).toEqual([true, true]);
    expect(runs.filter((run) => run.scheduledAt! > pausedAt)).toEqual([]);
    await shutdownAll(a, b);
  });
});
