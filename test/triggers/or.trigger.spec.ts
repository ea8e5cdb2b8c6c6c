import { describe, it, expect } from '@jest/globals';
import { Every, OnStartUp, OrTrigger, TriggerValidationError } from '../../lib/index.js';

const t0 = new Date('2026-01-01T00:00:00Z').getTime();

/** Drives a trigger the way the runner does (runs take no time) and returns fire offsets in s. */
function fireTimes(trigger: OrTrigger, untilMs: number): number[] {
  const fired: number[] = [];
  let now = t0;
  for (;;) {
    const wait = trigger.getWaitingTimeTillNextTrigger(new Date(now));
    if (wait === null || now + wait > t0 + untilMs) return fired;
    now += wait;
    trigger.recordFire(new Date(now));
    fired.push((now - t0) / 1000);
  }
}

describe('OrTrigger', () => {
  it('fires at the union of its children, each keeping its own schedule', () => {
    // aioclock restarted every child on each loop, so the 5 s child never fired.
    const or = new OrTrigger([new Every({ seconds: 3 }), new Every({ seconds: 5 })]);
    expect(fireTimes(or, 15_000)).toEqual([3, 5, 6, 9, 10, 12, 15]);
  });

  it('fires once when two children are due at the same instant', () => {
    const or = new OrTrigger([new Every({ seconds: 2 }), new Every({ seconds: 4 })]);
    expect(fireTimes(or, 8_000)).toEqual([2, 4, 6, 8]);
  });

  it('answers a question about an earlier instant afresh, after a look ahead', () => {
    const trigger = new OrTrigger([new Every({ minutes: 1 })]);
    trigger.getWaitingTimeTillNextTrigger(new Date('2026-06-01T00:00:00Z'));
    expect(trigger.getWaitingTimeTillNextTrigger(new Date(t0))).toBe(60_000);
    expect(fireTimes(trigger, 180_000)).toEqual([60, 120, 180]);
  });

  it('forgets the fire times it remembered when its schedule restarts', () => {
    const trigger = new OrTrigger([new Every({ hours: 1 })]);
    expect(trigger.getWaitingTimeTillNextTrigger(new Date(t0))).toBe(3_600_000);
    const later = new Date(t0 + 5 * 3_600_000);
    expect(trigger.getWaitingTimeTillNextTrigger(later)).toBe(0); // remembered, now overdue
    trigger.restartSchedule();
    expect(trigger.getWaitingTimeTillNextTrigger(later)).toBe(3_600_000);
  });

  it('stops when every child is exhausted', () => {
    const or = new OrTrigger([
      new Every({ seconds: 1, maxLoopCount: 2 }),
      new Every({ seconds: 5, maxLoopCount: 1 }),
    ]);
    expect(fireTimes(or, 60_000)).toEqual([1, 2, 5]);
    expect(or.shouldTrigger()).toBe(false);
  });

  it('stops at its own maxLoopCount', () => {
    const or = new OrTrigger([new Every({ seconds: 1 })], { maxLoopCount: 3 });
    expect(fireTimes(or, 60_000)).toEqual([1, 2, 3]);
  });

  it('describes its children', () => {
    const or = new OrTrigger([new Every({ seconds: 1 })]);
    expect(or.describe()).toMatchObject({
      type: 'OrTrigger',
      triggers: [{ type: 'Every', seconds: 1 }],
    });
  });

  it.each([
    ['an empty list', () => new OrTrigger([]), 'OrTrigger: invalid triggers'],
    ['a non-trigger', () => new OrTrigger([{} as never]), 'OrTrigger: invalid triggers[0]'],
    ['a startup trigger', () => new OrTrigger([new OnStartUp()]), 'OrTrigger: invalid triggers[0]'],
    [
      'the same child twice',
      () => {
        const every = new Every({ seconds: 1 });
        return new OrTrigger([every, every]);
      },
      'OrTrigger: invalid triggers[1]',
    ],
    [
      'a bad maxLoopCount',
      () => new OrTrigger([new Every({ seconds: 1 })], { maxLoopCount: 0 }),
      'maxLoopCount',
    ],
  ])('rejects %s', (_label, build, message) => {
    expect(build).toThrow(TriggerValidationError);
    expect(build).toThrow(message);
  });
});
