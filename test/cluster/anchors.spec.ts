import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  Cron,
  Every,
  InMemoryCoordinator,
  Once,
  Task,
  TaskRegistry,
  type TaskContext,
} from '../../lib/index.js';
import { messages } from '../../lib/errors.js';
import { bareReplica, StoreDown } from './replicas.js';
import { closeUnderFakeTimers, quietLogger } from '../fixtures/testing-module.js';
import { replica } from './replica-app.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

interface Run {
  replica: string;
  task: string;
  /** Nominal time, from T0. */
  at: number;
  /** Start minus nominal time. */
  late: number;
}

/** Nominal times (from T0) each task ran at, sorted. */
function ticksOf(runs: Run[], task: string): number[] {
  return runs
    .filter((run) => run.task === task)
    .map((run) => run.at)
    .sort((a, b) => a - b);
}

function expectNoTickTwice(runs: Run[]): void {
  const keys = runs.map((run) => `${run.task}@${run.at}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe('fixed-rate Every, immediate Every and Once share an anchor across replicas', () => {
  function anchoredTasks(runs: Run[]) {
    const record = (replicaName: string, context: TaskContext) =>
      runs.push({
        replica: replicaName,
        task: context.taskName,
        at: context.scheduledAt!.getTime() - T0,
        late: Date.now() - context.scheduledAt!.getTime(),
      });
    @Injectable()
    class Reports {
      replica = '';
      @Task(new Every({ seconds: 5, anchor: 'start' }), { name: 'rate' })
      rate(context: TaskContext) {
        record(this.replica, context);
      }
      @Task(new Every({ seconds: 5, anchor: 'start', firstRunStrategy: 'immediate' }), {
        name: 'immediate',
      })
      immediate(context: TaskContext) {
        record(this.replica, context);
      }
      @Task(new Once(), { name: 'once' })
      once(context: TaskContext) {
        record(this.replica, context);
      }
    }
    return Reports;
  }

  it('runs each tick once cluster-wide, on the grid of the first replica, whenever the others start', async () => {
    const runs: Run[] = [];
    const coordinator = new InMemoryCoordinator();
    const Reports = anchoredTasks(runs);
    const a = await replica('a', Reports, { coordinator });
    await jest.advanceTimersByTimeAsync(1_300);
    const b = await replica('b', Reports, { coordinator });
    await jest.advanceTimersByTimeAsync(6_400); // c starts at 7.7 s, between two ticks
    const c = await replica('c', Reports, { coordinator });
    const apps = [a, b, c];
    // Every replica plans the same next tick of each task.
    for (const name of ['rate', 'immediate']) {
      const next = apps.map((app) => app.get(TaskRegistry).getTask(name).nextRunAt?.getTime());
      expect(next).toEqual([T0 + 10_000, T0 + 10_000, T0 + 10_000]);
    }
    expect(c.get(TaskRegistry).getTask('once').nextRunAt).toBeNull();
    await jest.advanceTimersByTimeAsync(22_300); // to 30 s
    expectNoTickTwice(runs);
    const grid = [5_000, 10_000, 15_000, 20_000, 25_000, 30_000];
    expect(ticksOf(runs, 'rate')).toEqual(grid);
    expect(ticksOf(runs, 'immediate')).toEqual([0, ...grid]);
    expect(runs.filter((run) => run.task === 'once')).toEqual([
      { replica: 'a', task: 'once', at: 0, late: 0 },
    ]);
    // On time: no replica waited for anything but the tick.
    expect(runs.every((run) => run.late === 0)).toBe(true);
    // The history is shared: the same on every replica.
    const histories = await Promise.all(
      apps.map((app) => app.get(TaskRegistry).getHistory('rate', { limit: 10 })),
    );
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);
    for (const app of apps) await closeUnderFakeTimers(app);
  });

  it("keeps the grid when every replica restarts: the anchor is the store's, so no tick runs again", async () => {
    const runs: Run[] = [];
    const coordinator = new InMemoryCoordinator();
    const Reports = anchoredTasks(runs);
    const a = await replica('a', Reports, { coordinator });
    await jest.advanceTimersByTimeAsync(11_000);
    await closeUnderFakeTimers(a, 0);
    await jest.advanceTimersByTimeAsync(1_500); // a deploy: nobody up from 11 s to 12.5 s
    const b = await replica('b', Reports, { coordinator });
    await jest.advanceTimersByTimeAsync(8_000);
    expectNoTickTwice(runs);
    expect(ticksOf(runs, 'immediate')).toEqual([0, 5_000, 10_000, 15_000, 20_000]);
    expect(ticksOf(runs, 'rate')).toEqual([5_000, 10_000, 15_000, 20_000]);
    expect(ticksOf(runs, 'once')).toEqual([0]); // once per cluster, not per deploy
    await closeUnderFakeTimers(b);
  });

  it('catches up a Once whose proposer went down before claiming it', async () => {
    const coordinator = new InMemoryCoordinator();
    const ran: string[] = [];
    const make = (name: string) => {
      const s = bareReplica(coordinator, name);
      s.register({ name: 'migrate', trigger: new Once(), handler: () => void ran.push(name) });
      return s;
    };
    // The first replica got its anchor (T0) and died before its tick was claimed.
    const first = make('a');
    const id = first.get('migrate').id;
    await coordinator.anchors([
      { taskId: id, schedule: JSON.stringify(new Once().describe()), proposedAt: T0 },
    ]);
    await jest.advanceTimersByTimeAsync(500);
    const b = make('b');
    await b.start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(ran).toEqual(['b']);
    const [record] = await b.history('migrate', 5);
    expect(record).toMatchObject({ status: 'succeeded', scheduledAt: new Date(T0) });
    await b.shutdown();
  });

  it('a trigger set at run time gets the anchor of the first replica that set it', async () => {
    const coordinator = new InMemoryCoordinator();
    const runs: Run[] = [];
    const replicas = ['a', 'b', 'c'].map((name) => {
      const s = bareReplica(coordinator, name);
      s.register({
        name: 'poll',
        trigger: new Cron('0 0 * * *'),
        handler: (context: TaskContext) =>
          void runs.push({
            replica: name,
            task: 'poll',
            at: context.scheduledAt!.getTime() - T0,
            late: 0,
          }),
      });
      return s;
    });
    for (const s of replicas) await s.start();
    // One replica sets it; the others apply it later, when their sync reads it.
    await jest.advanceTimersByTimeAsync(100);
    await replicas[0]!.setTrigger(
      replicas[0]!.get('poll'),
      new Every({ seconds: 2, anchor: 'start' }),
    );
    await jest.advanceTimersByTimeAsync(10_000);
    expectNoTickTwice(runs);
    expect(ticksOf(runs, 'poll')).toEqual([2_100, 4_100, 6_100, 8_100, 10_100]);
    for (const s of replicas) await s.shutdown();
  });

  it('a task whose anchor cannot be read waits, unplanned, and is asked for again', async () => {
    const coordinator = new StoreDown('anchors', { down: true });
    const errors: string[] = [];
    const s = bareReplica(coordinator, 'a', {
      logger: { ...quietLogger, error: (m: string) => void errors.push(m) },
    });
    const runs: number[] = [];
    s.register({
      name: 'rate',
      trigger: new Every({ seconds: 1, anchor: 'start' }),
      handler: (context: TaskContext) => void runs.push(context.scheduledAt!.getTime() - T0),
    });
    await s.start();
    await jest.advanceTimersByTimeAsync(2_500);
    expect(runs).toEqual([]);
    expect(errors).toEqual([messages.anchorsFailed(1, 'ECONNREFUSED')]); // once, not per retry
    coordinator.down = false;
    await jest.advanceTimersByTimeAsync(5_000);
    // Asked again from the retry's instant (3 s): its first tick one interval on.
    expect(runs).toEqual([4_000, 5_000, 6_000, 7_000]);
    await s.shutdown();
  });
});

describe('seeded choices: every replica makes the same', () => {
  it('a jittered cron runs each tick once, at the same jittered instant on every replica', async () => {
    const coordinator = new InMemoryCoordinator();
    const runs: Run[] = [];
    const replicas = ['a', 'b', 'c'].map((name) => {
      const s = bareReplica(coordinator, name);
      s.register({
        name: 'report',
        trigger: new Cron('*/10 * * * * *'),
        policies: { jitter: 5_000 },
        handler: (context: TaskContext) =>
          void runs.push({
            replica: name,
            task: 'report',
            at: context.scheduledAt!.getTime() - T0,
            late: Date.now() - context.scheduledAt!.getTime(),
          }),
      });
      return s;
    });
    const planned: number[][] = [];
    for (const s of replicas) await s.start();
    // Step through a minute, noting what each replica waits for whenever a new wake-up is planned.
    for (let step = 0; step < 650; step++) {
      const dueAts = replicas.map((s) => s.get('report').dueAt);
      if (dueAts[0] !== planned.at(-1)?.[0]) planned.push(dueAts);
      await jest.advanceTimersByTimeAsync(100);
    }
    expect(planned).toHaveLength(7); // the ticks of 10 s to 60 s, and the one of 70 s
    planned.pop();
    for (const dueAts of planned) expect(new Set(dueAts).size).toBe(1);
    expectNoTickTwice(runs);
    expect(ticksOf(runs, 'report')).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    // The run starts at the planned instant; the jitter differs from tick to tick.
    expect(runs.map((run) => T0 + run.at + run.late)).toEqual(planned.map((dueAts) => dueAts[0]));
    const jitters = runs.map((run) => run.late);
    expect(jitters.every((j) => j >= 0 && j < 5_000)).toBe(true);
    expect(new Set(jitters).size).toBeGreaterThan(1);
    for (const s of replicas) await s.shutdown();
  });

  it('a cron with H fires at the same times on every replica, each with its own Cron instance', async () => {
    const coordinator = new InMemoryCoordinator();
    const runs: Run[] = [];
    const replicas = ['a', 'b', 'c'].map((name) => {
      const s = bareReplica(coordinator, name);
      s.register({
        name: 'hashed',
        trigger: new Cron('H * * * * *'), // a second of each minute, picked per task
        handler: (context: TaskContext) =>
          void runs.push({
            replica: name,
            task: 'hashed',
            at: context.scheduledAt!.getTime() - T0,
            late: 0,
          }),
      });
      return s;
    });
    for (const s of replicas) await s.start();
    const planned = replicas.map((s) => s.get('hashed').plannedAt);
    expect(new Set(planned).size).toBe(1);
    await jest.advanceTimersByTimeAsync(5 * 60_000);
    expectNoTickTwice(runs);
    const ticks = ticksOf(runs, 'hashed');
    expect(ticks).toHaveLength(5);
    expect(ticks[0]).toBe(planned[0]! - T0);
    expect(ticks.map((at) => at - ticks[0])).toEqual([0, 60_000, 120_000, 180_000, 240_000]);
    for (const s of replicas) await s.shutdown();
  });
});
