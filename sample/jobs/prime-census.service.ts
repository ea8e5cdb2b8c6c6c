import { Injectable, Logger } from '@nestjs/common';
import { Every, Task, TaskSupervisor, type TaskContext } from '../../lib/index.js';
import { PRIMES_WORKER } from './primes.js';

/** A scheduled task that fans CPU work out to worker threads, keeping the event loop free. */
@Injectable()
export class PrimeCensus {
  private readonly logger = new Logger(PrimeCensus.name);

  constructor(private readonly supervisor: TaskSupervisor) {}

  @Task(new Every({ seconds: 30, firstRunStrategy: 'immediate' }), { timeout: 20_000 })
  async census({ signal }: TaskContext) {
    const limit = 2_000_000;
    const parts = 4;
    const size = limit / parts;
    const handles = Array.from({ length: parts }, (_, index) =>
      this.supervisor.submit(
        { module: PRIMES_WORKER, fn: 'countPrimes', args: [index * size, (index + 1) * size] },
        { executor: 'thread', name: 'prime-census', priority: 'low', signal },
      ),
    );
    const counts = await this.supervisor.waitAll(handles, { timeout: 15_000 });
    const total = counts.reduce((sum: number, count) => sum + (count as number), 0);
    this.logger.log(`${total} primes below ${limit}, counted in ${parts} parts on the thread pool`);
    return total;
  }
}
