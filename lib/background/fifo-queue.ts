/** A growable ring buffer: O(1) push and shift, no array re-indexing as `Array#shift` would do. */
export class FifoQueue<T> {
  private items: (T | undefined)[] = new Array(16);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Forgets everything queued. */
  clear(): void {
    this.items = new Array(16);
    this.head = 0;
    this.count = 0;
  }

  // Capacity stays a power of two so that the index wraps with a mask.
  private grow(): void {
    const next: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) {
      next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    }
    this.items = next;
    this.head = 0;
  }
}
