import { fileURLToPath } from 'node:url';
import type { SlotLimits } from '../slot-pool.js';
import { PooledExecutor, type WorkerPool } from './pooled.executor.js';
import { WORKER_ENTRY } from './worker-reply.js';

/**
 * Runs `{ module, fn, args }` jobs in child processes through tinypool, loaded on first use.
 * tinypool kills a cancelled job's child with SIGTERM, then SIGKILL after 1 s, and reports a child
 * that exits on its own as "Worker exited unexpectedly".
 */
export class ProcessExecutor extends PooledExecutor {
  protected readonly kind = 'process';
  protected readonly packageName = 'tinypool';

  constructor(private readonly limits: SlotLimits) {
    super();
  }

  protected async importPool(): Promise<() => WorkerPool> {
    const { Tinypool } = await import('tinypool');
    const { poolSize } = this.limits;
    return () =>
      new Tinypool({
        filename: fileURLToPath(WORKER_ENTRY),
        runtime: 'child_process',
        // Structured clone, as for threads, rather than JSON.
        serialization: 'advanced',
        minThreads: poolSize,
        // Processes beyond poolSize serve only critical jobs, which ignore the slot limits.
        maxThreads: poolSize * 2,
        idleTimeout: 10_000,
      });
  }
}
