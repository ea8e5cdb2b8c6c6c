import type { JobPriority } from './job.interface.js';
import { LinkedQueue, type QueueLinks } from './linked-queue.js';

/** The priorities that wait in a queue; critical work never waits. */
export type QueuedPriority = Exclude<JobPriority, 'critical'>;

/** Queued work of one executor: one FIFO per priority, so order is priority then submission, in O(1). */
export class PriorityQueue<T extends QueueLinks<T>> {
  readonly high = new LinkedQueue<T>();
  readonly normal = new LinkedQueue<T>();
  readonly low = new LinkedQueue<T>();

  push(item: T, priority: QueuedPriority): void {
    this[priority].push(item);
  }

  /** Takes the item out of its priority's queue in O(1); false if it was not queued there. */
  remove(item: T, priority: QueuedPriority): boolean {
    return this[priority].remove(item);
  }

  /** Forgets everything queued. */
  clear(): void {
    this.high.clear();
    this.normal.clear();
    this.low.clear();
  }
}
