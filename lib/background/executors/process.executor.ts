import { PooledExecutor, type PoolSettings, type WorkerPool } from './pooled.executor.js';

/**
 * Runs `{ module, fn, args }` jobs in child processes through tinypool, loaded on first use.
 * tinypool kills a cancelled job's child with SIGTERM, then SIGKILL after 1 s, and reports a child
 * that exits on its own as "Worker exited unexpectedly".
 */
export class ProcessExecutor extends PooledExecutor {
  protected readonly kind = 'process';
  protected readonly packageName = 'tinypool';

  protected async importPool(): Promise<(settings: PoolSettings) => WorkerPool> {
    const { Tinypool } = await import('tinypool');
    return (settings) =>
      new Tinypool({
        ...settings,
        runtime: 'child_process',
        // Structured clone, as for threads, rather than JSON.
        serialization: 'advanced',
      });
  }
}
