/** The links an item carries while it is in a `LinkedQueue`; both undefined otherwise. */
export interface QueueLinks<T> {
  queuePrev: T | undefined;
  queueNext: T | undefined;
}

/**
 * A FIFO whose items hold their own links (an intrusive list): push, shift and removal of any item
 * are O(1) with no allocation, so that a cancelled job leaves its queue, and memory, at once.
 */
export class LinkedQueue<T extends QueueLinks<T>> {
  private head: T | undefined = undefined;
  private tail: T | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    item.queuePrev = this.tail;
    item.queueNext = undefined;
    if (this.tail === undefined) this.head = item;
    else this.tail.queueNext = item;
    this.tail = item;
    this.count++;
  }

  shift(): T | undefined {
    const item = this.head;
    if (item !== undefined) this.unlink(item);
    return item;
  }

  /** Takes the item out wherever it is; false if it was not in this queue. */
  remove(item: T): boolean {
    const member =
      item.queuePrev !== undefined || item.queueNext !== undefined || this.head === item;
    if (member) this.unlink(item);
    return member;
  }

  /** Forgets everything queued, unlinking each item so that none keeps its old neighbours alive. */
  clear(): void {
    while (this.shift() !== undefined);
  }

  private unlink(item: T): void {
    const { queuePrev: prev, queueNext: next } = item;
    if (prev === undefined) this.head = next;
    else prev.queueNext = next;
    if (next === undefined) this.tail = prev;
    else next.queuePrev = prev;
    item.queuePrev = item.queueNext = undefined;
    this.count--;
  }
}
