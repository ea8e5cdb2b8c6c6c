import { fileURLToPath } from 'node:url';
import type { SlotLimits } from '../slot-pool.js';
import { PooledExecutor, type WorkerPool } from './pooled.executor.js';
import { WORKER_ENTRY } from './worker-reply.js';

/** Runs `{ module, fn, args }` jobs on piscina worker threads, loading piscina on first use. */
export class ThreadExecutor extends PooledExecutor {
  protected readonly kind = 'thread';
  protected readonly packageName = 'piscina';

  constructor(private readonly limits: SlotLimits) {
    super();
  }

  protected async importPool(): Promise<() => WorkerPool> {
    const { Piscina } = await import('piscina');
    const { poolSize } = this.limits;
    return () =>
      new Piscina({
        filename: fileURLToPath(WORKER_ENTRY),
        minThreads: poolSize,
        // Threads beyond poolSize serve only critical jobs, which ignore the slot limits.
        maxThreads: poolSize * 2,
        // piscina's default ('sync') freezes a worker's event loop between tasks, which would
        // stall timers a job left behind; one task per thread at a time gains nothing from it.
        atomics: 'disabled',
        idleTimeout: 10_000,
      });
  }
}
