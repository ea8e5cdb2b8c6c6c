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

  /** Takes a queued job out at once (on cancel), so that it holds no memory behind a busy pool. */
  remove(job: Job, priority: QueuedPriority): void {
    this.queue.remove(job, priority);
  }

  /**
   * Takes the first job allowed to start now, or undefined. Since lower limits never exceed higher
   * ones, a waiting high job that cannot start means nothing else can either.
   */
  take(): Job | undefined {
    const { high, normal, low } = this.queue;
    if (high.size > 0) return this.running < this.highLimit ? high.shift() : undefined;
    if (normal.size > 0) return this.running < this.normalLimit ? normal.shift() : undefined;
    return this.running < this.lowLimit ? low.shift() : undefined;
  }

  /** Forgets the queue (at shutdown, once every queued job has been cancelled). */
  clear(): void {
    this.queue.clear();
  }
}
