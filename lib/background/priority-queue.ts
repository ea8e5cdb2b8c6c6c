import { FifoQueue } from './fifo-queue.js';
import type { JobPriority } from './job.interface.js';

/** The priorities that wait in a queue; critical work never waits. */
export type QueuedPriority = Exclude<JobPriority, 'critical'>;

/** Queued work of one executor: one FIFO per priority, so order is priority then submission, in O(1). */
export class PriorityQueue<T> {
  readonly high = new FifoQueue<T>();
  readonly normal = new FifoQueue<T>();
  readonly low = new FifoQueue<T>();

  push(item: T, priority: QueuedPriority): void {
    this[priority].push(item);
  }

  /** Forgets everything queued. */
  clear(): void {
    this.high.clear();
    this.normal.clear();
    this.low.clear();
  }
}
