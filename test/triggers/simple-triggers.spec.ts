import { describe, it, expect, jest } from '@jest/globals';
import {
  BaseTrigger,
  Every,
  Forever,
  LoopController,
  Once,
  OnShutDown,
  OnStartUp,
  type TriggerDescription,
  type TriggerState,
} from '../../lib/index.js';

const now = new Date('2026-01-01T00:00:00Z');

describe('Once, Forever, OnStartUp, OnShutDown', () => {
  it('Once fires immediately, exactly once', () => {
    const once = new Once();
    expect(once.getWaitingTimeTillNextTrigger(now)).toBe(0);
    once.recordFire(now);
    expect(once.shouldTrigger()).toBe(false);
    expect(once.getWaitingTimeTillNextTrigger(now)).toBeNull();
  });

  it('Forever always fires again at once', () => {
    const forever = new Forever();
    for (let i = 0; i < 5; i++) forever.recordFire(now);
    expect(forever.shouldTrigger()).toBe(true);
    expect(forever.getWaitingTimeTillNextTrigger(now)).toBe(0);
  });

  it('startup and shutdown triggers say which phase they belong to', () => {
    expect(new OnStartUp().phase).toBe('startup');
    expect(new OnShutDown().phase).toBe('shutdown');
    expect(new Every({ seconds: 1 }).phase).toBe('scheduled');
  });
});

/** A custom trigger: fires every even second of the clock. */
class EvenSeconds extends LoopController {
  constructor(maxLoopCount?: number) {
    super('EvenSeconds', maxLoopCount);
  }
  nextWait(_state: TriggerState, nowMs: number): number {
    return 2_000 - (nowMs % 2_000);
  }
  describe(): TriggerDescription {
    return { type: 'EvenSeconds', ...this.describeLoop() };
  }
}

describe('custom triggers', () => {
  it('extend LoopController and get the loop budget for free', () => {
    const trigger = new EvenSeconds(1);
    expect(trigger.getWaitingTimeTillNextTrigger(new Date('2026-01-01T00:00:01.250Z'))).toBe(750);
    trigger.recordFire(now);
    expect(trigger.getWaitingTimeTillNextTrigger(now)).toBeNull();
    expect(trigger.describe()).toEqual({ type: 'EvenSeconds', maxLoopCount: 1 });
    expect(trigger.loopCount).toBe(1);
  });

  it('triggerNext waits for the next fire time, publishes it and counts a loop', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:01.000Z') });
    try {
      const trigger: BaseTrigger = new EvenSeconds();
      let done = false;
      const waiting = trigger.triggerNext().then(() => (done = true));
      expect(trigger.expectedTriggerTime?.toISOString()).toBe('2026-01-01T00:00:02.000Z');
      await jest.advanceTimersByTimeAsync(999);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await waiting;
      expect((trigger as EvenSeconds).loopCount).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('triggerNext stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = new Every({ hours: 1 }).triggerNext(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
