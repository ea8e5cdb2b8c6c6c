import { describe, it, expect, jest } from '@jest/globals';
import { Cron, InMemoryCoordinator, type TaskContext } from '../../lib/index.js';
import type { ClaimOutcome, TickClaim } from '../../lib/runner/coordinator.js';
import { bareReplica, skewedView } from './replicas.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

/** A store that commits a replica's first claim, then loses the reply (a timeout, a dropped connection). */
class LosingFirstReply extends InMemoryCoordinator {
  constructor(private readonly loser: string) {
    super();
  }
  lost = 0;
  override async claimTicks(
    claimerId: string,
    ticks: readonly TickClaim[],
    toleranceMs: number,
  ): Promise<ClaimOutcome[]> {
    const outcomes = await super.claimTicks(claimerId, ticks, toleranceMs);
    // A replica claims as `instanceId:<a part of its process's own>`.
    if (claimerId.startsWith(`${this.loser}:`) && this.lost++ === 0) {
      throw new Error('read ECONNRESET');
    }
    return outcomes;
  }
}

describe('a claim committed in the store whose reply was lost', () => {
  it('is claimed again by its replica, won with the same token, and the tick runs once', async () => {
    const store = new LosingFirstReply('a');
    const runs: { replica: string; scheduledAt: number; token: number | null }[] = [];
    const schedulers = ['a', 'b'].map((name) => {
      const scheduler = bareReplica(store, name);
      scheduler.register({
        name: 'every-5s',
        trigger: new Cron('*/5 * * * * *'),
        handler: (context: TaskContext) =>
          void runs.push({
            replica: name,
            scheduledAt: context.scheduledAt!.getTime(),
            token: context.fencingToken ?? null,
          }),
      });
      return scheduler;
    });
    for (const scheduler of schedulers) await scheduler.start();
    // a claims first (its timer was armed first), the store commits it, a hears nothing; b is
    // told 'taken'; a's retry a second later is answered as the first claim was.
    await jest.advanceTimersByTimeAsync(7_000);
    expect(store.lost).toBeGreaterThan(1);
    expect(runs).toEqual([{ replica: 'a', scheduledAt: T0 + 5_000, token: 1 }]);
    const history = await schedulers[1]!.history('every-5s', 10);
    expect(history.map((record) => [record.scheduledAt!.getTime(), record.status])).toEqual([
      [T0 + 5_000, 'succeeded'],
    ]);
    for (const scheduler of schedulers) await scheduler.shutdown();
  });
});

describe('a replica never claims a tick it had an answer for again', () => {
  it('restarted with the same instanceId and a clock behind the store, it does not run its last tick twice', async () => {
    // A store whose clock is 2 s ahead of this process's.
    const store = skewedView(new InMemoryCoordinator(), 2_000);
    const runs: number[] = [];
    const start = async () => {
      const scheduler = bareReplica(store, 'pod-0');
      scheduler.register({
        name: 'every-5s',
        trigger: new Cron('*/5 * * * * *'),
        handler: (context: TaskContext) => void runs.push(context.scheduledAt!.getTime()),
      });
      await scheduler.start();
      return scheduler;
    };
    const first = await start();
    // Planned on the store's clock once the first claim measured it: the tick at 15 s runs at
    // 13 s on this clock.
    await jest.advanceTimersByTimeAsync(13_500);
    await first.shutdown();
    expect(runs).toContain(T0 + 15_000);
    // Back at once: this clock says 13.5 s, so the first tick it plans is 15 s, the one it ran.
    const second = await start();
    await jest.advanceTimersByTimeAsync(5_000);
    await second.shutdown();
    expect(runs.filter((at) => at === T0 + 15_000)).toHaveLength(1);
    expect(runs).toContain(T0 + 20_000);
  });
});
