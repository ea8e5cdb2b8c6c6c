import { describe, it, expect } from '@jest/globals';
import { Cron, Every, Forever, Once, OrTrigger, type TriggerState } from '../../lib/index.js';
import type { BaseTrigger } from '../../lib/triggers/base.trigger.js';

const T0 = new Date('2026-01-01T00:00:00Z').getTime();

/** A fresh state for `trigger`, anchored as a cluster would anchor it (first proposal kept). */
function anchored(trigger: BaseTrigger, anchors: number[]): TriggerState {
  const state = trigger.createState({ timeZone: 'UTC' });
  trigger.setAnchors(state, anchors);
  return state;
}

/** The next `count` nominal fire times from `fromMs`, fired one after another. */
function fires(trigger: BaseTrigger, state: TriggerState, fromMs: number, count: number) {
  const times: number[] = [];
  let now = fromMs;
  while (times.length < count && trigger.canFire(state)) {
    const wait = trigger.nextWait(state, now);
    if (wait === null) break;
    now += wait;
    trigger.advance(state, now);
    times.push(now - T0);
  }
  return times;
}

describe('triggers that count from a shared anchor (cluster mode)', () => {
  it('a fixed-rate Every proposes its first fire time: one interval on, or now when immediate', () => {
    const rate = new Every({ seconds: 5, anchor: 'start' });
    const immediate = new Every({ seconds: 5, anchor: 'start', firstRunStrategy: 'immediate' });
    expect(rate.proposeAnchors(rate.createState(), T0)).toEqual([
      { schedule: JSON.stringify(rate.describe()), proposedAt: T0 + 5_000 },
    ]);
    expect(immediate.proposeAnchors(immediate.createState(), T0)[0].proposedAt).toBe(T0);
    expect([rate.deterministic, immediate.deterministic]).toEqual([true, true]);
  });

  it('a fixed delay, an interval of 0 and Forever propose nothing: they stay leased', () => {
    for (const trigger of [
      new Every({ seconds: 5 }),
      new Every({ seconds: 5, firstRunStrategy: 'immediate' }),
      new Every({ seconds: 0, anchor: 'start' }),
      new Forever(),
    ]) {
      expect(trigger.proposeAnchors(trigger.createState(), T0)).toEqual([]);
      expect(trigger.deterministic).toBe(false);
    }
  });

  it('a replica that starts later fires on the anchor grid: the first tick at or after its now', () => {
    const rate = new Every({ seconds: 5, anchor: 'start' });
    // The first replica proposed T0 + 5 s; this one starts at T0 + 7.3 s.
    const state = anchored(rate, [T0 + 5_000]);
    expect(fires(rate, state, T0 + 7_300, 3)).toEqual([10_000, 15_000, 20_000]);
    // Started before the anchor: the anchor itself is the first tick, never one before it.
    expect(fires(rate, anchored(rate, [T0 + 5_000]), T0 - 60_000, 2)).toEqual([5_000, 10_000]);
    // Exactly on a tick: that tick is due now.
    expect(rate.nextWait(anchored(rate, [T0 + 5_000]), T0 + 15_000)).toBe(0);
  });

  it('keeps the grid after a late run and after missed ticks, and never fires a tick twice', () => {
    const rate = new Every({ seconds: 1, anchor: 'start' });
    const state = anchored(rate, [T0]);
    rate.advance(state, T0 + 3_000);
    expect(rate.nextWait(state, T0 + 3_000)).toBe(1_000); // not the tick it just fired
    expect(rate.nextWait(state, T0 + 3_700)).toBe(300); // a run that ended late
    expect(rate.nextWait(state, T0 + 9_250)).toBe(750); // ticks missed: the next on the grid
    // A clock set back keeps the grid too (a fixed rate without anchor restarts from now).
    expect(rate.nextWait(state, T0 - 10_000)).toBe(14_000);
  });

  it('gives whole-millisecond nominal times for a fractional interval, without drift', () => {
    const third = new Every({ seconds: 1 / 3, anchor: 'start' });
    const state = anchored(third, [T0]);
    const times = fires(third, state, T0 + 1, 6);
    expect(times).toEqual([333, 667, 1_000, 1_333, 1_667, 2_000]);
    expect(fires(third, anchored(third, [T0]), T0 + 300_000 + 1, 1)).toEqual([300_333]);
  });

  it('Once fires at its anchor; a replica that plans after the anchor does not fire it', () => {
    const once = new Once();
    expect(once.proposeAnchors(once.createState(), T0)[0].proposedAt).toBe(T0);
    expect(fires(once, anchored(once, [T0 + 200]), T0, 5)).toEqual([200]);
    expect(once.nextWait(anchored(once, [T0]), T0 + 1)).toBeNull();
    // Without an anchor (one process), it fires at once as always.
    expect(once.nextWait(once.createState(), T0 + 1)).toBe(0);
  });

  it("an OrTrigger asks for its children's anchors, in order, and fires at their union", () => {
    const or = new OrTrigger([
      new Every({ seconds: 4, anchor: 'start' }),
      new Cron('*/5 * * * * *', { tz: 'UTC' }),
      new Every({ seconds: 10, anchor: 'start', firstRunStrategy: 'immediate' }),
    ]);
    const state = or.createState({ timeZone: 'UTC' });
    expect(or.proposeAnchors(state, T0).map((p) => p.proposedAt - T0)).toEqual([4_000, 0]);
    expect(or.deterministic).toBe(true);
    or.setAnchors(state, [T0 + 1_000, T0 + 3_000]);
    expect(fires(or, state, T0 + 2_000, 6)).toEqual([3_000, 5_000, 9_000, 10_000, 13_000, 15_000]);
  });

  it('without anchors nothing changes: a fixed rate counts from its first fire, as before', () => {
    const rate = new Every({ seconds: 5, anchor: 'start' });
    expect(fires(rate, rate.createState(), T0 + 7_300, 2)).toEqual([12_300, 17_300]);
  });
});

describe('Cron H seeded by the task', () => {
  const HOUR = 3_600_000;

  it('picks the same values for the same seed in every instance (every replica)', () => {
    const plans = Array.from({ length: 10 }, () => {
      const cron = new Cron('H H * * *', { tz: 'UTC' });
      const state = cron.createState({ seed: 'task-id-1' });
      return fires(cron, state, T0, 2);
    });
    expect(new Set(plans.map((p) => p.join()))).toEqual(new Set([plans[0].join()]));
    expect(plans[0][1] - plans[0][0]).toBe(24 * HOUR);
  });

  it('spreads different tasks: different seeds pick different values', () => {
    const cron = new Cron('H * * * *', { tz: 'UTC' });
    const firsts = Array.from(
      { length: 20 },
      (_, i) => fires(cron, cron.createState({ seed: `task-${i}` }), T0, 1)[0],
    );
    expect(new Set(firsts).size).toBeGreaterThan(5);
  });

  it('keeps the seed in the state (plain data) only for expressions with H', () => {
    expect(new Cron('H * * * *').createState({ seed: 's', timeZone: 'UTC' }).seed).toBe('s');
    expect(new Cron('0 * * * *').createState({ seed: 's', timeZone: 'UTC' }).seed).toBeUndefined();
  });
});
