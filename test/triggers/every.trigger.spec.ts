import { describe, it, expect } from '@jest/globals';
import { Every, TriggerValidationError } from '../../lib/index.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('Every', () => {
  it('adds up units, fractions included', () => {
    const every = new Every({ minutes: 1, seconds: 1.5 });
    expect(every.getWaitingTimeTillNextTrigger(t0)).toBe(61_500);
    expect(new Every({ weeks: 1, days: 1, hours: 1 }).getWaitingTimeTillNextTrigger(t0)).toBe(
      (7 * 24 + 24 + 1) * 3_600_000,
    );
  });

  it('waits one interval first by default, or fires at once with firstRunStrategy immediate', () => {
    expect(new Every({ seconds: 5 }).getWaitingTimeTillNextTrigger(t0)).toBe(5_000);
    const immediate = new Every({ seconds: 5, firstRunStrategy: 'immediate' });
    expect(immediate.getWaitingTimeTillNextTrigger(t0)).toBe(0);
    immediate.recordFire(t0);
    expect(immediate.getWaitingTimeTillNextTrigger(at(300))).toBe(5_000);
  });

  it("with anchor 'end' measures from the moment it is asked (the end of the run)", () => {
    const every = new Every({ seconds: 1 });
    every.recordFire(at(1_000));
    expect(every.getWaitingTimeTillNextTrigger(at(1_400))).toBe(1_000);
  });

  it("with anchor 'start' keeps a fixed rate aligned to the first fire time", () => {
    const every = new Every({ seconds: 1, anchor: 'start' });
    every.recordFire(at(1_000));
    expect(every.getWaitingTimeTillNextTrigger(at(1_400))).toBe(600);
    every.recordFire(at(2_000));
    // Three fire times were missed: the next is the first planned time not in the past.
    expect(every.getWaitingTimeTillNextTrigger(at(5_300))).toBe(700);
    expect(every.anchoredToRunEnd).toBe(false);
  });

  it('stops after maxLoopCount fires, failed runs included', () => {
    const every = new Every({ seconds: 1, maxLoopCount: 2 });
    every.recordFire(t0);
    expect(every.shouldTrigger()).toBe(true);
    every.recordFire(t0);
    expect(every.shouldTrigger()).toBe(false);
    expect(every.getWaitingTimeTillNextTrigger(t0)).toBeNull();
  });

  it('accepts an interval of 0: back to back, within its loop budget', () => {
    const every = new Every({ seconds: 0, maxLoopCount: 2 });
    expect(every.getWaitingTimeTillNextTrigger(t0)).toBe(0);
    every.recordFire(t0);
    expect(every.getWaitingTimeTillNextTrigger(t0)).toBe(0);
    every.recordFire(t0);
    expect(every.getWaitingTimeTillNextTrigger(t0)).toBeNull();
    const rate = new Every({ seconds: 0, anchor: 'start' });
    rate.recordFire(t0);
    expect(rate.getWaitingTimeTillNextTrigger(t0)).toBe(0);
  });

  it('describes itself as JSON', () => {
    const description = new Every({ seconds: 5 }).describe();
    expect(JSON.parse(JSON.stringify(description))).toEqual({
      type: 'Every',
      seconds: 5,
      intervalMs: 5_000,
      firstRunStrategy: 'wait',
      anchor: 'end',
      maxLoopCount: null,
    });
  });

  it.each([
    [{ second: 5 }, 'second'],
    [{}, 'interval'],
    [{ seconds: 8.64e12 }, 'interval'], // now + interval would be an Invalid Date
    [{ weeks: 1e300 }, 'interval'], // Infinity ms
    [{ weeks: 1e10, days: 1 }, 'interval'], // past what a Date holds
    [{ seconds: -1 }, 'seconds'],
    [{ minutes: Number.NaN }, 'minutes'],
    [{ seconds: 1, firstRunStrategy: 'later' }, 'firstRunStrategy'],
    [{ seconds: 1, anchor: 'middle' }, 'anchor'],
    [{ seconds: 1, maxLoopCount: 0 }, 'maxLoopCount'],
    [{ seconds: 1, maxLoopCount: -3 }, 'maxLoopCount'],
    [{ seconds: 1, maxLoopCount: 1.5 }, 'maxLoopCount'],
  ])('rejects %j naming the field %s', (options, field) => {
    const build = () => new Every(options as never);
    expect(build).toThrow(TriggerValidationError);
    expect(build).toThrow(`Every: invalid ${field}`);
  });
});
