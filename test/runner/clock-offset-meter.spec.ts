import { describe, it, expect, jest } from '@jest/globals';
import { ClockOffsetMeter } from '../../lib/runner/clock-offset-meter.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock(1_000_000);

describe('ClockOffsetMeter', () => {
  it('knows nothing before the first reading, then takes it: the store read its clock at the latest when it replied', () => {
    const meter = new ClockOffsetMeter();
    expect(meter.offsetMs).toBeNull();
    meter.record(10_500, 10_000, 10_200);
    expect(meter.offsetMs).toBe(300);
  });

  it('keeps the reading with the smallest round trip: one slow reply does not move the offset', () => {
    const meter = new ClockOffsetMeter();
    meter.record(10_100, 10_000, 10_010); // 10 ms round trip: +90
    meter.record(21_000, 20_000, 20_800); // 800 ms round trip: +200
    expect(meter.offsetMs).toBe(90);
  });

  it('forgets readings after a minute, so a changed clock is followed', () => {
    const meter = new ClockOffsetMeter();
    meter.record(10_100, 10_000, 10_010);
    jest.advanceTimersByTime(61_000);
    meter.record(73_500, 71_000, 71_100); // the clock moved by 2.4 s meanwhile
    expect(meter.offsetMs).toBe(2_400);
  });

  it('measures a round trip whose reply carries the store clock, and answers the reply', async () => {
    const meter = new ClockOffsetMeter();
    // Sent at 1_000_000; the store reads 1_000_500 and replies, heard 200 ms after sending.
    const reply = meter.measure(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { storeNow: 1_000_500, answer: 'won' };
      },
      (answered) => answered.storeNow,
    );
    await jest.advanceTimersByTimeAsync(200);
    expect(await reply).toEqual({ storeNow: 1_000_500, answer: 'won' });
    expect(meter.offsetMs).toBe(300);
  });

  it('takes no reading from a reply without the store clock, nor from a failed round trip', async () => {
    const meter = new ClockOffsetMeter();
    expect(
      await meter.measure(
        async () => [],
        () => null,
      ),
    ).toEqual([]);
    expect(
      await meter.measure(
        async () => 'x',
        () => Number('x'),
      ),
    ).toBe('x');
    const failed = meter.measure(
      () => Promise.reject(new Error('store away')),
      () => 0,
    );
    await expect(failed).rejects.toThrow('store away');
    expect(meter.offsetMs).toBeNull();
  });
});
