import { PooledExecutor, type PoolSettings, type WorkerPool } from './pooled.executor.js';

/** Runs `{ module, fn, args }` jobs on piscina worker threads, loading piscina on first use. */
export class ThreadExecutor extends PooledExecutor {
  protected readonly kind = 'thread';
  protected readonly packageName = 'piscina';

  protected async importPool(): Promise<(settings: PoolSettings) => WorkerPool> {
    const { Piscina } = await import('piscina');
    return (settings) =>
      new Piscina({
        ...settings,
        // piscina's default ('sync') freezes a worker's event loop between tasks, which would
        // stall timers a job left behind; one task per thread at a time gains nothing from it.
        atomics: 'disabled',
      });
  }
}
