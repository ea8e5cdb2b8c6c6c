import { describe, it, expect, jest } from '@jest/globals';
import { Cron, InMemoryCoordinator, type TaskContext } from '../../lib/index.js';
import { bareReplica, skewedView } from './replicas.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

/** Runs one replica on a store `skewMs` off this clock for `ms`: each run's nominal time and its start by the store's clock. */
async function runOn(skewMs: number, ms: number) {
  const store = skewedView(new InMemoryCoordinator(), skewMs);
  const scheduler = bareReplica(store, 'a');
  const runs: { scheduledAt: number; storeStart: number }[] = [];
  scheduler.register({
    name: 'secondly',
    trigger: new Cron('* * * * * *'),
    // Lateness is judged on the store's clock too: none of these runs is late.
    policies: { misfire: 'skip' },
    handler: (context: TaskContext) =>
      void runs.push({
        scheduledAt: context.scheduledAt!.getTime(),
        storeStart: Date.now() + skewMs,
      }),
  });
  await scheduler.start();
  await jest.advanceTimersByTimeAsync(ms);
  const offset = scheduler.status().cluster!.clockOffsetMs;
  // Every tick run or recorded not run (a 'skip' tick too late by the store's clock is missed).
  const recorded = (await scheduler.history('secondly', 100)).map((record) => ({
    scheduledAt: record.scheduledAt!.getTime(),
  }));
  await scheduler.shutdown();
  return { runs, offset, recorded: recorded.reverse() };
}

/** The nominal times from the first to the last that are not in `runs` (s from T0). */
function gaps(runs: { scheduledAt: number }[]): number[] {
  const ran = new Set(runs.map((run) => run.scheduledAt));
  const missing: number[] = [];
  for (let t = runs[0]!.scheduledAt; t <= runs.at(-1)!.scheduledAt; t += 1_000) {
    if (!ran.has(t)) missing.push(t - T0);
  }
  return missing;
}

describe("cluster: claimed ticks are planned on the store's clock", () => {
  it("a replica 2 s ahead of the store starts no tick before its nominal time by the store's clock", async () => {
    const { runs, offset, recorded } = await runOn(-2_000, 10_000);
    expect(offset).toBe(-2_000);
    expect(runs.length).toBeGreaterThanOrEqual(6);
    expect(runs.filter((run) => run.storeStart < run.scheduledAt)).toEqual([]);
    expect(gaps(runs)).toEqual([]);
    expect(gaps(recorded)).toEqual([]);
  });

  it("a replica 2 s behind the store runs each tick when the store's clock reaches it, not 2 s late", async () => {
    const { runs, offset, recorded } = await runOn(2_000, 10_000);
    expect(offset).toBe(2_000);
    // From the first plan made with the offset on (the first claim measures it).
    const planned = runs.filter((run) => run.scheduledAt >= T0 + 6_000);
    expect(planned.length).toBeGreaterThanOrEqual(4);
    for (const run of planned) expect(run.storeStart - run.scheduledAt).toBeLessThan(100);
    expect(gaps(planned)).toEqual([]);
    // Before the offset was known, ticks came 2 s late by the store's clock: recorded missed.
    expect(gaps(recorded)).toEqual([]);
  });

  it("a tick won early, within the claim tolerance, before any offset was measured, starts when the store's clock reaches it", async () => {
    // 500 ms ahead: the first claim comes before the offset is known and is not refused as early.
    const { runs, offset, recorded } = await runOn(-500, 5_000);
    expect(offset).toBe(-500);
    expect(runs[0]!.scheduledAt).toBe(T0 + 1_000);
    expect(runs.filter((run) => run.storeStart < run.scheduledAt)).toEqual([]);
    expect(gaps(runs)).toEqual([]);
    expect(gaps(recorded)).toEqual([]);
  });

  it('a tick won early that waits for the store when the scheduler stops is recorded skipped, not run', async () => {
    const store = skewedView(new InMemoryCoordinator(), -500);
    const scheduler = bareReplica(store, 'a');
    const ran: number[] = [];
    scheduler.register({
      name: 'secondly',
      trigger: new Cron('* * * * * *'),
      handler: (context: TaskContext) => void ran.push(context.scheduledAt!.getTime()),
    });
    await scheduler.start();
    // The first tick is won at T0 + 1 s by this clock, 500 ms before the store's clock gets there.
    await jest.advanceTimersByTimeAsync(1_100);
    expect(ran).toEqual([]);
    const history = scheduler.history('secondly', 10);
    const stopped = scheduler.shutdown();
    await jest.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(ran).toEqual([]);
    const records = await scheduler.history('secondly', 10);
    expect(records.map(({ status, scheduledAt }) => ({ status, scheduledAt }))).toEqual([
      { status: 'skipped', scheduledAt: new Date(T0 + 1_000) },
    ]);
    expect(await history).toEqual([]);
  });

  // The store's clock an hour ahead of the replicas' (a database server whose clock is wrong, a
  // VM restored from a snapshot): every tick of that hour is past on the store's clock. Planned
  // from the replica's own clock, a new task ran them all at start, back to back (1,002 runs in
  // 3 s); now the ticks behind the store's now minus the claim tolerance are claimed as late
  // ones, as after an outage: the newest runs, the older are recorded missed.
  it('a store an hour ahead: a new secondly task runs a few ticks at start, not the hour', async () => {
    const scheduler = bareReplica(skewedView(new InMemoryCoordinator(), 3_600_000), 'a');
    const runs: number[] = [];
    scheduler.register({
      name: 'charge',
      trigger: new Cron('* * * * * *'),
      handler: (context: TaskContext) => void runs.push(context.scheduledAt!.getTime()),
    });
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(3_000);
    const stopping = scheduler.shutdown();
    await jest.advanceTimersByTimeAsync(20_000);
    await stopping;
    // About 3 s of ticks on the store's clock (the first, late by the hour, may run once).
    expect(runs.length).toBeLessThanOrEqual(5);
    // The hour in between is caught up as after an outage: at most its newest 100 ticks, missed.
    const missed = (await scheduler.history('charge', 1_000)).filter(
      (record) => record.status === 'missed',
    );
    expect(missed.length).toBeGreaterThan(0);
    expect(missed.length).toBeLessThanOrEqual(100);
  });
});
