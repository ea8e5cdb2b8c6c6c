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
});
