import { describe, expect, it } from '@jest/globals';
import { FifoQueue } from '../../lib/background/fifo-queue.js';

describe('FifoQueue', () => {
  it('keeps order across growth and wrap-around', () => {
    const queue = new FifoQueue<number>();
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so that the head wraps before the buffer grows.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) queue.push(next++);
      for (let i = 0; i < 3; i++) out.push(queue.shift()!);
    }
    expect(queue.size).toBe(200);
    expect(queue.peek()).toBe(150);
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
    expect(out).toEqual(Array.from({ length: 350 }, (_, i) => i));
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
