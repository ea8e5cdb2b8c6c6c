import { describe, it, expect } from '@jest/globals';
import { analyse, duplicatesOf, sleep } from './harness/harness.js';
import {
  historyOf,
  linesOf,
  onBothStores,
  readyAt,
  storeClockOffset,
  until,
  useHarness,
} from './harness/scenario.js';

// The scenario harness of cluster mode, part 1 (faults are in harness-faults.spec.ts): real
// time, replicas as child processes, each scenario on Redis and PostgreSQL at once (6 processes on
// this 2-core box). The main scenario holds the 60 s window; the others are shorter.

const TASKS = 10;
/**
 * How early a run may seem to start by the store's clock: not at all (the issue's bar is the claim
 * tolerance, 1 s), but the harness reads the store's clock from here to within half a round trip,
 * and the ledger stamps runs on another clock than the replicas' timers. A tick won before the
 * store's clock reached it (a replica ahead, before its first claim measured the offset) waits.
 */
const EARLY_BOUND_MS = 50;

useHarness('');

describe('cluster harness: replicas as processes, on Redis and PostgreSQL (real time)', () => {
  it('3 replicas, 10 secondly tasks, 60 s: each tick run once, by every replica in turn', async () => {
    const results = await onBothStores('steady', async (set) => {
      await set.start([{ tasks: TASKS }, { tasks: TASKS }, { tasks: TASKS }]);
      const from = readyAt(set) + 1_000;
      // The window is [ready + 1 s, end - 1 s]: at least 60 whole seconds of ticks.
      await sleep(62_500);
      const to = Date.now() - 1_000;
      await set.stopAll();
      expect(duplicatesOf(set.runs())).toEqual({});
      return analyse(set.runs(), { tasks: TASKS, from, to });
    });
    for (const result of Object.values(results)) {
      expect(result.duplicates).toEqual({});
      expect(result.missing).toEqual([]);
      // At least 60 whole seconds of ticks, every one of them run.
      expect(result.runs).toBeGreaterThanOrEqual(TASKS * 60);
      expect(Object.keys(result.perReplica).sort()).toEqual([
        'replica-0',
        'replica-1',
        'replica-2',
      ]);
      expect(result.lateness.p99).toBeLessThanOrEqual(500);
    }
  }, 180_000);

  it("clocks at -2 s, 0, +2 s: each tick once, none started before its time by the store's clock", async () => {
    const results = await onBothStores('skew', async (set, where) => {
      await set.start([
        { tasks: TASKS, clockOffsetMs: -2_000 },
        { tasks: TASKS, clockOffsetMs: 0 },
        { tasks: TASKS, clockOffsetMs: 2_000 },
      ]);
      // The replica 2 s behind plans its first ticks 2 s late: start the window after that.
      const from = readyAt(set) + 3_000;
      await sleep(10_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      const runs = set.runs();
      expect(duplicatesOf(runs)).toEqual({});
      // The bound is on the store's clock: runs are stamped on the real clock, which the store's
      // may differ from (the same host here, so by about nothing).
      const offset = await storeClockOffset(where);
      const early = runs.filter(
        ({ startedAt, scheduledAt }) => startedAt + offset < scheduledAt - EARLY_BOUND_MS,
      );
      expect(early).toEqual([]);
      const earliest: Record<string, number> = {};
      for (const { replica, startedAt, scheduledAt } of runs) {
        earliest[replica] = Math.min(earliest[replica] ?? Infinity, startedAt - scheduledAt);
      }
      return {
        ...analyse(runs, { tasks: TASKS, from, to }),
        storeClockOffsetMs: offset,
        earliestStartPerReplicaMs: earliest,
      };
    });
    for (const result of Object.values(results)) {
      expect(result.duplicates).toEqual({});
      expect(result.missing).toEqual([]);
    }
  }, 150_000);

  it('all replicas down across two ticks, then restarted: runOnce runs one late, records one missed', async () => {
    const EVERY_3S = '*/3 * * * * *';
    const names = ['tick-0', 'tick-1'];
    await onBothStores('alldown', async (set, where) => {
      const options = { tasks: names.length, cron: EVERY_3S };
      // The second generation loads beside the first (seconds on a busy box) and is held, so
      // that its start can be timed to the ticks.
      const started = await set.start([
        ...[0, 1, 2].map(() => options),
        ...[0, 1, 2].map(() => ({ ...options, held: true })),
      ]);
      const [first, second] = [started.slice(0, 3), started.slice(3)];
      const upAt = readyAt(set);
      const ranSince = () => set.runs().filter((run) => run.startedAt > upAt);
      await until('a tick run after the start', () => ranSince().length >= names.length);
      const lastTick = Math.max(...ranSince().map((run) => run.scheduledAt));
      await until(
        'its runs',
        () => ranSince().filter((r) => r.scheduledAt === lastTick).length === 2,
      );
      // Every replica down across the next two ticks; the second generation starts after them.
      await Promise.all(first.map((replica) => replica.stop()));
      const downAt = Date.now();
      await sleep(lastTick + 6_100 - Date.now());
      const restartAt = Date.now();
      for (const replica of second) replica.release();
      const restarted = second.map((replica) => replica.name);
      const ready = () => linesOf(set, 'ready').filter((line) => restarted.includes(line.replica));
      await until('the second generation ready', () => ready().length === 3, 60_000);
      const backAt = Math.min(...ready().map((line) => line.at));
      await sleep(4_000);
      await set.stopAll();
      const runs = set.runs();
      expect(duplicatesOf(runs)).toEqual({});
      const histories = await historyOf(where, names);
      // The ticks nobody was up for: two, unless the restart took longer than a period.
      const down: number[] = [];
      for (let tick = lastTick + 3_000; tick < backAt; tick += 3_000) down.push(tick);
      expect(down.length).toBeGreaterThanOrEqual(2);
      const perTask = names.map((name) => {
        const history = histories.get(name)!;
        const records = down.map((tick) =>
          history.filter((record) => record.scheduledAt?.getTime() === tick),
        );
        const ledger = down.map((tick) =>
          runs.filter((run) => run.task === name && run.scheduledAt === tick),
        );
        return { records, ledger };
      });
      for (const { records, ledger } of perTask) {
        // Each tick down is in the store's history once: the newest run late, the others missed.
        for (const once of records) expect(once).toHaveLength(1);
        const statuses = records.map((once) => once[0]!.status);
        expect(statuses).toEqual([...down.slice(1).map(() => 'missed'), 'succeeded']);
        expect(ledger.map((list) => list.length)).toEqual([...down.slice(1).map(() => 0), 1]);
        // Run by a restarted replica, once they were back.
        const late = ledger.at(-1)![0]!;
        expect(late.startedAt).toBeGreaterThan(restartAt);
        expect(restarted).toContain(late.replica);
      }
      return {
        downMs: Math.round(backAt - downAt),
        ticksDown: down.length,
        caughtUpLateByMs: perTask.map(({ ledger }) => {
          const late = ledger.at(-1)![0]!;
          return Math.round(late.startedAt - late.scheduledAt);
        }),
        missedRecorded: perTask.map(
          ({ records }) => records.filter((once) => once[0]?.status === 'missed').length,
        ),
      };
    });
  }, 150_000);
});
