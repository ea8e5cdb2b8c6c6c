import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import { TimerQueue } from '../../lib/runner/timer-queue.js';

describe('TimerQueue', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires entries in due order, ties in insertion order, with one OS timer', () => {
    const queue = new TimerQueue();
    const fired: string[] = [];
    queue.schedule(300, () => fired.push('c'));
    queue.schedule(100, () => fired.push('a'));
    queue.schedule(300, () => fired.push('d'));
    queue.schedule(200, () => fired.push('b'));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(250);
    expect(fired).toEqual(['a', 'b']);
    jest.advanceTimersByTime(50);
    expect(fired).toEqual(['a', 'b', 'c', 'd']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('cancels entries and disarms when empty', () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    const first = queue.schedule(100, () => fired.push(1));
    queue.schedule(200, () => fired.push(2));
    queue.cancel(first);
    queue.cancel(first);
    jest.advanceTimersByTime(500);
    expect(fired).toEqual([2]);
    const last = queue.schedule(900, () => fired.push(3));
    queue.cancel(last);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits the full time beyond the 2^31-1 ms timer limit', () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    const fortyDays = 40 * 86_400_000;
    queue.schedule(fortyDays, () => fired.push(Date.now()));
    jest.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(fortyDays - (2 ** 31 - 1) - 1);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual([fortyDays]);
  });

  it('keeps going when a callback throws', () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    queue.schedule(10, () => {
      throw new Error('boom');
    });
    queue.schedule(10, () => fired.push(1));
    jest.advanceTimersByTime(10);
    expect(fired).toEqual([1]);
  });

  it('leaves entries added during dispatch for a later turn, so re-scheduling at once cannot starve others', () => {
    const queue = new TimerQueue();
    const fired: string[] = [];
    const again = () => {
      fired.push('forever');
      if (fired.length < 5) queue.schedule(Date.now(), again);
    };
    queue.schedule(0, again);
    queue.schedule(1, () => fired.push('other'));
    jest.advanceTimersByTime(1);
    expect(fired.indexOf('other')).toBeLessThan(4);
  });

  it('clear drops everything', () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    queue.schedule(10, () => fired.push(1));
    queue.clear();
    jest.advanceTimersByTime(100);
    expect(fired).toEqual([]);
    expect(queue.size).toBe(0);
  });
});
