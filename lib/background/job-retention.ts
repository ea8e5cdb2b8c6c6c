import { FifoQueue } from './fifo-queue.js';
import type { Job } from './job.js';

/** Keeps finished jobs findable by id for a while: at most `max` of them, none older than `ms`. */
export class JobRetention {
  private readonly byId = new Map<number, Job>();
  private readonly order = new FifoQueue<Job>();

  constructor(
    private readonly ms: number,
    private readonly max: number,
  ) {}

  // Expiry is checked when jobs are added or looked up, so retention needs no timer of its own.
  add(job: Job): void {
    if (this.max === 0 || this.ms === 0) return;
    this.byId.set(job.seq, job);
    this.order.push(job);
    if (this.order.size > this.max) this.byId.delete(this.order.shift()!.seq);
    this.evictExpired(job.finishedAt);
  }

  get(seq: number, now: number): Job | undefined {
    const job = this.byId.get(seq);
    if (job === undefined) return undefined;
    if (now - job.finishedAt < this.ms) return job;
    this.evictExpired(now);
    return undefined;
  }

  private evictExpired(now: number): void {
    for (let oldest = this.order.peek(); oldest !== undefined; oldest = this.order.peek()) {
      if (now - oldest.finishedAt < this.ms) return;
      this.byId.delete(this.order.shift()!.seq);
    }
  }
}
