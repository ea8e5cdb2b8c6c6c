import type { InlineWork, JobContext } from '../job.interface.js';
import type { Job } from '../job.js';
import type { JobExecutor, SettleJob } from './executor.interface.js';

// A getter rather than a copied field: the job's AbortController is only created if the work reads
// `signal`, which keeps jobs that never look at it free of that allocation.
class InlineContext implements JobContext {
  constructor(private readonly job: Job) {}

  get signal(): AbortSignal {
    return this.job.signal;
  }

  get jobId(): string {
    return this.job.id;
  }
}

/** Calls async functions on the event loop; the supervisor's slots are its concurrency limit. */
export class InlineExecutor implements JobExecutor {
  // An async function rather than .then() with two closures: V8's await allocates less per job.
  async run(job: Job, settle: SettleJob): Promise<void> {
    let value: unknown;
    try {
      value = await (job.work as InlineWork<unknown>)(new InlineContext(job));
    } catch (error) {
      settle(job, 'failed', error);
      return;
    }
    settle(job, 'succeeded', value);
  }

  async destroy(): Promise<void> {}
}
