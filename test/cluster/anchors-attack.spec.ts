import { describe, it, expect, jest } from '@jest/globals';
import { Every, InMemoryCoordinator, Once, type TaskContext } from '../../lib/index.js';
import type { BaseTrigger } from '../../lib/triggers/base.trigger.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { bareReplica, StoreDown } from './replicas.js';
import { quietLogger } from '../fixtures/testing-module.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

// Review of the shared anchors (attack1): schedules that, in cluster mode, lose a tick for good
// (never run, never recorded) where one process would run it, and a look ahead that disagrees
// with what fires.

useFakeClock();

/** Registers one task that notes the nominal time (from T0) of each run. */
function track(
  s: TaskScheduler,
  trigger: BaseTrigger,
  extra: { disabled?: boolean; initialDelay?: number } = {},
) {
  const runs: number[] = [];
  s.register({
    name: 'job',
    trigger,
    ...extra,
    handler: (context: TaskContext) => void runs.push(context.scheduledAt!.getTime() - T0),
  });
  return runs;
}

/** A store that keeps the anchors it is sent but loses its first answer (a timeout on the reply). */
class LostReply extends InMemoryCoordinator {
  lose = 1;
  override async anchors(...args: Parameters<InMemoryCoordinator['anchors']>) {
    const kept = await super.anchors(...args);
    if (this.lose-- > 0) throw new Error('ETIMEDOUT');
    return kept;
  }
}

describe('a Once in a cluster still runs once', () => {
  it('without a cluster, a disabled Once runs when it is resumed (the reference)', async () => {
    const s = new TaskScheduler({ logger: quietLogger, triggerDefaults: { timeZone: 'UTC' } });
    const runs = track(s, new Once(), { disabled: true });
    await s.start();
    await jest.advanceTimersByTimeAsync(60_000);
    s.resume(s.get('job'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toEqual([60_000]);
    await s.shutdown();
  });

  it('a disabled Once runs when it is resumed on a replica', async () => {
    const s = bareReplica(new InMemoryCoordinator(), 'a');
    const runs = track(s, new Once(), { disabled: true });
    await s.start();
    await jest.advanceTimersByTimeAsync(60_000);
    s.resume(s.get('job'));
    await jest.advanceTimersByTimeAsync(1_000);
    // Was [] before the fix: the anchor was proposed at start (T0) although the task was paused,
    // and resume planned from that anchor, which had passed: Once.nextWait answered null for good.
    expect(runs).toEqual([60_000]);
    await s.shutdown();
  });

  it('runs when the store kept its anchor but the reply was lost', async () => {
    const s = bareReplica(new LostReply(), 'a');
    const runs = track(s, new Once());
    await s.start();
    await jest.advanceTimersByTimeAsync(10_000);
    // Was [] before the fix: the retry (at 1 s) gets the anchor kept from the first try (T0),
    // before the retry's instant, so Once never planned; start()'s catch-up ran before any anchor.
    // Now the ticks of an anchor that comes after start are caught up (late, as misfire says).
    expect(runs).toEqual([0]);
    await s.shutdown();
  });

  it("an immediate fixed rate runs its first tick when the store's first reply was lost", async () => {
    const s = bareReplica(new LostReply(), 'a');
    const runs = track(
      s,
      new Every({ seconds: 5, anchor: 'start', firstRunStrategy: 'immediate' }),
    );
    await s.start();
    await jest.advanceTimersByTimeAsync(10_500);
    // Was [5000, 10000] before the fix: the tick at the kept anchor (T0) never ran, never recorded.
    expect(runs).toEqual([0, 5_000, 10_000]);
    await s.shutdown();
  });

  // The anchor holds the proposer's initial delay: the replica still up runs the tick.
  it('with an initial delay, runs on the replica still up when its proposer stops before the anchor', async () => {
    const coordinator = new InMemoryCoordinator();
    const a = bareReplica(coordinator, 'a');
    const b = bareReplica(coordinator, 'b');
    const runsA = track(a, new Once(), { initialDelay: 10_000 });
    const runsB = track(b, new Once(), { initialDelay: 10_000 });
    await a.start(); // anchor: T0 + 10 s
    await jest.advanceTimersByTimeAsync(1_000);
    await b.start(); // b gets a's anchor, but its own initial delay ends at 11 s
    await jest.advanceTimersByTimeAsync(1_000);
    await a.shutdown(); // a rolling deploy takes a away before 10 s
    await jest.advanceTimersByTimeAsync(60_000);
    // Observed: [] on both - b plans from its own notBefore (11 s), after the anchor, so Once
    // answers null; b's catch-up ran at its start, before the anchor was due.
    expect([...runsA, ...runsB]).toHaveLength(1);
    await b.shutdown();
  });
});

describe('a Once set at run time', () => {
  // A trigger set through the cluster is part of the anchor's key: a new Once gets a new anchor
  // (it was ignored for good, silently, when the key was the description alone).
  it('runs when a task that ran a Once before is given a new Once', async () => {
    const s = bareReplica(new InMemoryCoordinator(), 'a');
    const runs = track(s, new Once());
    await s.start();
    await jest.advanceTimersByTimeAsync(5_000);
    s.setTrigger(s.get('job'), new Every({ hours: 1 }));
    await jest.advanceTimersByTimeAsync(5_000);
    s.setTrigger(s.get('job'), new Once());
    await jest.advanceTimersByTimeAsync(5_000);
    expect(runs).toEqual([0, 10_000]);
    await s.shutdown();
  });
});

describe('getUpcoming of an anchored task agrees with what fires', () => {
  it('says nothing is planned while the anchor is being asked for (store down)', async () => {
    const coordinator = new StoreDown('anchors', { down: true });
    const s = bareReplica(coordinator, 'a');
    const runs = track(s, new Every({ seconds: 1, anchor: 'start' }));
    await s.start();
    await jest.advanceTimersByTimeAsync(100);
    const said = s.upcoming(s.get('job'), Date.now(), 3).map((at) => at - T0);
    await jest.advanceTimersByTimeAsync(2_400);
    expect(runs).toEqual([]); // nothing fires before the store answers
    // Was [1100, 2100, 3100] before the fix: times planned as if there were no cluster, none of
    // which fires (once the store answers at 3 s, the grid is 4 s, 5 s, ...).
    expect(said.filter((at) => at <= 2_500)).toEqual([]);
    coordinator.down = false;
    await jest.advanceTimersByTimeAsync(5_000);
    await s.shutdown();
  });
});
