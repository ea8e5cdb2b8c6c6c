import { describe, it, expect, jest } from '@jest/globals';
import { Cron, InMemoryCoordinator } from '../../lib/index.js';
import type { ClaimOutcome, TickClaim } from '../../lib/runner/coordinator.js';
import { bareReplica } from './replicas.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

class Slow extends InMemoryCoordinator {
  delayMs = 0;
  fail = false;
  offset: number | null = null;
  calls = 0;
  closed = false;
  get clockOffsetMs(): number | null {
    return this.offset;
  }
  override async claimTicks(
    id: string,
    ticks: readonly TickClaim[],
    tol: number,
  ): Promise<ClaimOutcome[]> {
    this.calls++;
    const fail = this.fail;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (fail) throw new Error('store down');
    return super.claimTicks(id, ticks, tol);
  }
  override async close(): Promise<void> {
    this.closed = true;
    return super.close();
  }
}

describe('cluster shutdown with a claim in flight', () => {
  it('a claim that fails during shutdown is not retried after the store closed', async () => {
    const store = new Slow();
    const a = bareReplica(store, 'a');
    a.register({ name: 'sec', trigger: new Cron('* * * * * *'), handler: () => {} });
    await a.start();
    store.delayMs = 50;
    store.fail = true;
    await jest.advanceTimersByTimeAsync(1010);
    const stopping = a.shutdown();
    await jest.advanceTimersByTimeAsync(100);
    await stopping;
    const callsAtClose = store.calls;
    await jest.advanceTimersByTimeAsync(60_000);
    expect({
      closed: store.closed,
      callsAfter: store.calls - callsAtClose,
      timers: jest.getTimerCount(),
    }).toEqual({ closed: true, callsAfter: 0, timers: 0 });
  });

  it('a tick won early by a claim answered during shutdown leaves no timer and is recorded before close', async () => {
    const store = new Slow();
    const a = bareReplica(store, 'a');
    const t = a.register({ name: 'sec', trigger: new Cron('* * * * * *'), handler: () => {} });
    await a.start();
    store.delayMs = 50;
    store.offset = -500; // store clock 500 ms behind: a won tick waits ~450 ms
    await jest.advanceTimersByTimeAsync(1010);
    const stopping = a.shutdown();
    await jest.advanceTimersByTimeAsync(100);
    await stopping;
    const timersAtClose = jest.getTimerCount();
    const appendedAfterClose: string[] = [];
    const orig = store.appendHistory.bind(store);
    store.appendHistory = async (r) => {
      if (store.closed) appendedAfterClose.push(r.status);
      return orig(r);
    };
    const h = await store.listHistory(t.id, 10);
    await jest.advanceTimersByTimeAsync(5_000);
    const h2 = await store.listHistory(t.id, 10);
    expect({
      timersAtClose,
      before: h.map((r) => r.status),
      after: h2.map((r) => r.status),
      appendedAfterClose,
    }).toEqual({
      timersAtClose: 0,
      before: ['skipped'],
      after: ['skipped'],
      appendedAfterClose: [],
    });
  });
});
