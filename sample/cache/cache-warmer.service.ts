import { Injectable, Logger } from '@nestjs/common';
import { Forever, OnShutDown, OnStartUp, Task, type TaskContext } from '../../lib/index.js';

/** Warms a cache before anything else runs, consumes invalidations, and flushes at shutdown. */
@Injectable()
export class CacheWarmer {
  private readonly logger = new Logger(CacheWarmer.name);
  readonly cache = new Map<string, string>();
  private readonly invalidations: string[] = [];

  @Task(new OnStartUp())
  async warmUp() {
    await new Promise((resolve) => setTimeout(resolve, 100));
    this.cache.set('greeting', 'hello');
    this.logger.log('Cache warmed up before the scheduled tasks start');
  }

  /** Queue a key for invalidation (called by other code). */
  invalidate(key: string) {
    this.invalidations.push(key);
  }

  /** Runs back to back: waits a little for invalidations, applies them, repeats. */
  @Task(new Forever())
  async consumeInvalidations({ signal }: TaskContext) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    for (const key of this.invalidations.splice(0)) this.cache.delete(key);
  }

  @Task(new OnShutDown())
  flush() {
    this.logger.log(`Flushing ${this.cache.size} cache entries`);
    this.cache.clear();
  }
}
