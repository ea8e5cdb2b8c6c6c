import { describe, expect, it } from '@jest/globals';
import { LinkedQueue, type QueueLinks } from '../../lib/background/linked-queue.js';

class Item implements QueueLinks<Item> {
  queuePrev: Item | undefined = undefined;
  queueNext: Item | undefined = undefined;
  constructor(readonly n: number) {}
}

function drain(queue: LinkedQueue<Item>): number[] {
  const out: number[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item.n);
  return out;
}

describe('LinkedQueue', () => {
  it('keeps order and removes the head, a middle item and the tail', () => {
    const queue = new LinkedQueue<Item>();
    const items = Array.from({ length: 6 }, (_, n) => new Item(n));
    for (const item of items) queue.push(item);
    expect([items[0], items[3], items[5]].map((item) => queue.remove(item))).toEqual([
      true,
      true,
      true,
    ]);
    expect(queue.size).toBe(3);
    expect(drain(queue)).toEqual([1, 2, 4]);
    expect(queue.size).toBe(0);
  });

  it('refuses to remove an item it does not hold, and unlinks what it lets go', () => {
    const queue = new LinkedQueue<Item>();
    const [a, b, stranger] = [new Item(1), new Item(2), new Item(3)];
    queue.push(a);
    queue.push(b);
    expect(queue.remove(stranger)).toBe(false);
    expect(queue.remove(a)).toBe(true);
    expect(queue.remove(a)).toBe(false);
    expect(a).toMatchObject({ queuePrev: undefined, queueNext: undefined });
    queue.push(a);
    queue.clear();
    expect(queue.size).toBe(0);
    expect([b.queueNext, a.queuePrev]).toEqual([undefined, undefined]);
    expect(queue.shift()).toBeUndefined();
  });
});
