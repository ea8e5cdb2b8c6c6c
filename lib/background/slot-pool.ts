import type { Job } from './job.js';
import { PriorityQueue, type QueuedPriority } from './priority-queue.js';

/** Slot limits of one executor, as atasker has them: reserves are slots lower priorities may not take. */
export interface SlotLimits {
  /** Slots shared by all priorities. */
  poolSize: number;
  /** Slots only normal, high and critical work may take. */
  reserveNormal: number;
  /** Slots only high and critical work may take. */
  reserveHigh: number;
}

/**
 * The slots and queue of one executor. Low work may hold `poolSize - reserveNormal - reserveHigh`
 * slots, normal work `poolSize - reserveHigh`, high work `poolSize`; critical work is never counted
 * against a limit (but does occupy a slot while it runs).
 */
export class SlotPool {
  running = 0;
  /** Set while the pool is starting jobs, so that a job finishing synchronously cannot recurse. */
  pumping = false;
  private readonly queue = new PriorityQueue<Job>();
  private readonly highLimit: number;
  private readonly normalLimit: number;
  private readonly lowLimit: number;

  constructor(limits: SlotLimits) {
    this.highLimit = limits.poolSize;
    this.normalLimit = limits.poolSize - limits.reserveHigh;
    this.lowLimit = limits.poolSize - limits.reserveHigh - limits.reserveNormal;
  }

  push(job: Job, priority: QueuedPriority): void {
    this.queue.push(job, priority);
  }

  /**
   * Takes the first job allowed to start now, or undefined. Since lower limits never exceed higher
   * ones, a waiting high job that cannot start means nothing else can either.
   */
  take(): Job | undefined {
    const queue = this.queue;
    for (;;) {
      let job: Job | undefined;
      if (queue.high.size > 0) {
        if (this.running >= this.highLimit) return undefined;
        job = queue.high.shift();
      } else if (queue.normal.size > 0) {
        if (this.running >= this.normalLimit) return undefined;
        job = queue.normal.shift();
      } else if (queue.low.size > 0) {
        if (this.running >= this.lowLimit) return undefined;
        job = queue.low.shift();
      } else {
        return undefined;
      }
      // Cancelled jobs stay in the queue (removal would be O(n)) and are skipped here.
      if (job!.status === 'queued') return job;
    }
  }

  /** Forgets the queue (at shutdown, once every queued job has been cancelled). */
  clear(): void {
    this.queue.clear();
  }
}
