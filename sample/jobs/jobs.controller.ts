import {
  BadRequestException,
  Body,
  Controller,
  DefaultValuePipe,
  Get,
  NotFoundException,
  Param,
  ParseEnumPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  JOB_PRIORITIES,
  TaskSupervisor,
  type JobHandle,
  type JobPriority,
} from '../../lib/index.js';
import { inputMessages, IntRangePipe, KnownFieldsPipe } from '../common/input.pipes.js';
import { DashboardTokenGuard } from '../dashboard/dashboard-token.guard.js';
import { PRIMES_WORKER } from './primes.js';

/**
 * Submit background jobs over HTTP and follow them. Submitting spends CPU on the app's worker
 * threads, so it wants the dashboard's token, as the sample's other write endpoints do.
 */
@Controller('jobs')
export class JobsController {
  constructor(private readonly supervisor: TaskSupervisor) {}

  /**
   * Counts primes below `limit` on a worker thread; answers at once with the job's id.
   * Bad input (`{"limit": "abc"}`, `{"priority": "urgent"}`, a misspelt field) gets a 400.
   */
  @Post('primes')
  @UseGuards(DashboardTokenGuard)
  submitPrimes(
    @Body(new KnownFieldsPipe(['limit', 'priority'])) _body: object,
    @Body('limit', new DefaultValuePipe(1_000_000), new IntRangePipe('limit', 2, 50_000_000))
    limit: number,
    @Body(
      'priority',
      new DefaultValuePipe('normal'),
      new ParseEnumPipe(JOB_PRIORITIES, {
        exceptionFactory: () =>
          new BadRequestException(inputMessages.oneOf('priority', JOB_PRIORITIES)),
      }),
    )
    priority: JobPriority,
  ) {
    const job = this.supervisor.submit(
      { module: PRIMES_WORKER, fn: 'countPrimes', args: [2, limit] },
      { executor: 'thread', name: 'primes', priority, timeout: 60_000 },
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
