import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { TaskSupervisor, type JobHandle } from '../../lib/index.js';
import { PRIMES_WORKER } from './primes.js';

/** Submit background jobs over HTTP and follow them. */
@Controller('jobs')
export class JobsController {
  constructor(private readonly supervisor: TaskSupervisor) {}

  /** Counts primes below `limit` on a worker thread; answers at once with the job's id. */
  @Post('primes')
  submitPrimes(
    @Body() body: { limit?: number; priority?: 'critical' | 'high' | 'normal' | 'low' },
  ) {
    const limit = Math.min(Math.max(Number(body?.limit ?? 1_000_000), 2), 50_000_000);
    const job = this.supervisor.submit(
      { module: PRIMES_WORKER, fn: 'countPrimes', args: [2, limit] },
      { executor: 'thread', name: 'primes', priority: body?.priority ?? 'normal', timeout: 60_000 },
    );
    return describeJob(job, null);
  }

  @Get(':id')
  async status(@Param('id') id: string) {
    const job = this.supervisor.get(id);
    if (!job)
      throw new NotFoundException(`No job with id "${id}" (finished jobs are kept a while)`);
    return describeJob(job, job.status === 'succeeded' ? await job.result : null);
  }
}

function describeJob(job: JobHandle, result: unknown) {
  const { id, name, priority, executor, status, timeQueued, timeStarted, timeFinished } = job;
  const error = job.error === undefined ? null : String((job.error as Error)?.message ?? job.error);
  return {
    id,
    name,
    priority,
    executor,
    status,
    timeQueued,
    timeStarted,
    timeFinished,
    error,
    result,
  };
}
