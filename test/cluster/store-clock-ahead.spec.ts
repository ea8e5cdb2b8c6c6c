// Found by an adversarial review of planning on the store's clock: a store far ahead of every
// replica's clock.
import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import { Cron, InMemoryCoordinator, type TaskContext } from '../../lib/index.js';
import type { ClaimOutcome, TickClaim } from '../../lib/runner/coordinator.js';
import type { SchedulerLogger } from '../../lib/runner/scheduler-logger.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';

const T0 = new Date('2026-01-01T00:00:00Z').getTime();
const HOUR = 3_600_000;
beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(() => {
  jest.useRealTimers();
});

const quiet: SchedulerLogger = { log() {}, warn() {}, error() {}, debug() {} };

/** A store whose clock is `skewMs` ahead of this process's; it measures the offset on each claim. */
class SkewedStore extends InMemoryCoordinator {
  clockOffsetMs: number | null = null;
  constructor(private readonly skewMs: number) {
    super();
  }
  override async claimTicks(
    instanceId: string,
    ticks: readonly TickClaim[],
    toleranceMs: number,
  ): Promise<ClaimOutcome[]> {
    this.clockOffsetMs = this.skewMs;
    return super.claimTicks(instanceId, ticks, toleranceMs + this.skewMs);
  }
}

describe("a replica far behind the store's clock", () => {
  // The store's clock is an hour ahead of the replicas' (a database server whose clock is wrong,
  // a VM restored from a snapshot). A task deployed for the first time (no high-water mark yet)
  // is planned from the replica's own now, an hour behind the store's: every tick of that hour is
  // past on the store's clock, due at once, claimed, won and, with the default misfire 'runOnce',
  // run: one run per tick of the hour, back to back. In-sync replicas would find them 'taken'
  // only if they had claimed past them; on a new task nobody has. Now the ticks behind the store's
  // now minus the claim tolerance are claimed as late ones: the newest runs, the others are missed.
  it('a new secondly task runs a few ticks at start, not the hour the store is ahead', async () => {
    const store = new SkewedStore(HOUR);
    const scheduler = new TaskScheduler({
      logger: quiet,
      triggerDefaults: { timeZone: 'UTC' },
      cluster: { coordinator: store, instanceId: 'a' },
    });
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
    const history = await scheduler.history('charge', 1_000);
    const missed = history.filter((record) => record.status === 'missed');
    expect(missed.length).toBeGreaterThan(0);
    expect(missed.length).toBeLessThanOrEqual(100);
  });
});
