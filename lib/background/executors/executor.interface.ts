import type { Job } from '../job.js';

/** How an executor reports a job's outcome; the supervisor ignores it if the job already ended. */
export type SettleJob = (job: Job, status: 'succeeded' | 'failed', outcome: unknown) => void;

/** Runs started jobs of one kind; the supervisor does the admission, queueing and bookkeeping. */
export interface JobExecutor {
  /** Runs the job and calls `settle` once with its value or error (a callback saves a promise per job). */
  run(job: Job, settle: SettleJob): void;
  /** Releases threads or processes; jobs still running have been cancelled before this is called. */
  destroy(): Promise<void>;
}
