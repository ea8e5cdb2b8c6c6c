import { describe, it, expect, jest } from '@jest/globals';
import { TimerQueue, type TimerItem } from '../../lib/runner/timer-queue.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

interface Item extends TimerItem {
  label: string;
  action?: () => void;
}

const item = (label: string, action?: () => void): Item => ({
  label,
  action,
  dueAt: 0,
  heapIndex: -1,
  heapSeq: 0,
});

function queueRecording(fired: string[], batches?: number[]) {
  let inBatch = 0;
  return new TimerQueue<Item>({
    onDue: (due) => {
      inBatch++;
      fired.push(due.label);
      due.action?.();
    },
    onBatchEnd: () => {
      batches?.push(inBatch);
      inBatch = 0;
    },
  });
}

describe('TimerQueue', () => {
  useFakeClock(0);

  it('hands out items in due order, ties in insertion order, with one OS timer', () => {
    const fired: string[] = [];
    const batches: number[] = [];
    const queue = queueRecording(fired, batches);
    queue.schedule(item('c'), 300);
    queue.schedule(item('a'), 100);
    queue.schedule(item('d'), 300);
    queue.schedule(item('b'), 200);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(250);
    expect(fired).toEqual(['a', 'b']);
    jest.advanceTimersByTime(50);
    expect(fired).toEqual(['a', 'b', 'c', 'd']);
    expect(batches).toEqual([1, 1, 2]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('cancels and reschedules items, and disarms when empty', () => {
    const fired: string[] = [];
    const queue = queueRecording(fired);
    const first = item('first');
    const second = item('second');
    queue.schedule(first, 100);
    queue.schedule(second, 200);
    queue.cancel(first);
    queue.cancel(first);
    queue.schedule(second, 50);
    expect(queue.size).toBe(1);
    jest.advanceTimersByTime(49);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(['second']); // at its new time, 50, not its old one, 200
    jest.advanceTimersByTime(500);
    expect(fired).toEqual(['second']);
    const last = item('last');
    queue.schedule(last, 900);
    queue.cancel(last);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits the full time beyond the 2^31-1 ms timer limit', () => {
    const fired: number[] = [];
    const queue = new TimerQueue<Item>({ onDue: () => fired.push(Date.now()) });
    const fortyDays = 40 * 86_400_000;
    queue.schedule(item('long'), fortyDays);
    jest.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(fortyDays - (2 ** 31 - 1) - 1);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual([fortyDays]);
  });

  it('keeps going when onDue throws', () => {
    const fired: string[] = [];
    const queue = queueRecording(fired);
    queue.schedule(
      item('boom', () => {
        throw new Error('boom');
      }),
      10,
    );
    queue.schedule(item('next'), 10);
    jest.advanceTimersByTime(10);
    expect(fired).toEqual(['boom', 'next']);
  });

  it('leaves items queued during dispatch for a later turn, so re-queueing at once cannot starve others', () => {
    const fired: string[] = [];
    const queue = queueRecording(fired);
    const forever: Item = item('forever', () => {
      if (fired.length < 5) queue.schedule(forever, Date.now());
    });
    queue.schedule(forever, 0);
    queue.schedule(item('other'), 1);
    jest.advanceTimersByTime(1);
    // 'other' comes in before 'forever' has used up its five turns.
    expect(fired).toEqual(['forever', 'forever', 'other']);
  });

  it('clear drops everything', () => {
    const fired: string[] = [];
    const queue = queueRecording(fired);
    queue.schedule(item('x'), 10);
    queue.clear();
    jest.advanceTimersByTime(100);
    expect(fired).toEqual([]);
    expect(queue.size).toBe(0);
  });
});
