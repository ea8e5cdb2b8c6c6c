import type { Subscription } from 'rxjs';
import type { BackgroundEvent } from '../background/background.events.js';
import {
  EXECUTOR_KINDS,
  JOB_PRIORITIES,
  type ExecutorKind,
  type JobHandle,
  type JobPriority,
  type JobStatus,
} from '../background/job.interface.js';
import type { TaskSupervisor } from '../background/task-supervisor.js';
import type { PoolOptions } from '../background/task-supervisor.options.js';
import { describeError } from '../runner/run-record.js';

/** One background job as the dashboard shows it. */
export interface JobView {
  id: string;
  name: string;
  priority: JobPriority;
  executor: ExecutorKind;
  status: JobStatus;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

/** One executor's pool: its slots, what runs and what waits, by priority. */
export interface PoolView {
  executor: ExecutorKind;
  limits: Readonly<Required<PoolOptions>>;
  running: number;
  delayed: number;
  queued: Record<JobPriority, number>;
}

/** The background-jobs section of the dashboard. */
export interface JobsView {
  pools: PoolView[];
  running: JobView[];
  recent: JobView[];
}

const RECENT_LIMIT = 50;

function toJobView(job: JobHandle): JobView {
  const failed = job.status === 'failed' || job.status === 'timedOut' || job.status === 'cancelled';
  return {
    id: job.id,
    name: job.name,
    priority: job.priority,
    executor: job.executor,
    status: job.status,
    queuedAt: job.timeQueued,
    startedAt: job.timeStarted,
    finishedAt: job.timeFinished,
    error: failed ? describeError(job.error).message : null,
  };
}

/**
 * Follows the supervisor's events to know its live jobs (for queue depths by priority, which
 * `stats()` does not split) and its recent ones (which it does not list). It subscribes from the
 * start, so the section has something to show when a page opens.
 */
export class JobTracker {
  private readonly live = new Map<string, JobHandle>();
  private readonly recent: JobHandle[] = [];
  private readonly subscription: Subscription;

  constructor(
    private readonly supervisor: TaskSupervisor,
    onChange: () => void,
  ) {
    this.subscription = supervisor.events$.subscribe((event) => {
      if (this.track(event)) onChange();
    });
  }

  /** Pools, running jobs and the recent finished ones, newest first. */
  view(): JobsView {
    const live = [...this.live.values()];
    const pools = EXECUTOR_KINDS.map((executor): PoolView => {
      const queued = Object.fromEntries(JOB_PRIORITIES.map((p) => [p, 0])) as PoolView['queued'];
      let running = 0;
      let delayed = 0;
      for (const job of live) {
        if (job.executor !== executor) continue;
        if (job.status === 'started') running++;
        else if (job.status === 'delayed') delayed++;
        else if (job.status === 'queued') queued[job.priority]++;
      }
      return { executor, limits: this.supervisor.poolLimits[executor], running, delayed, queued };
    });
    return {
      pools,
      running: live.filter((job) => job.status === 'started').map(toJobView),
      recent: this.recent.map(toJobView),
    };
  }

  /** Whether anything the view shows changed. */
  private track(event: BackgroundEvent): boolean {
    if (!('job' in event)) return false;
    const { job } = event;
    if (event.type === 'done') {
      this.live.delete(job.id);
      this.recent.unshift(job);
      if (this.recent.length > RECENT_LIMIT) this.recent.pop();
      return true;
    }
    if (event.type === 'submitted' || event.type === 'started') {
      this.live.set(job.id, job);
      return true;
    }
    return false;
  }

  /** Stops following (the supervisor's stream also ends by itself at shutdown). */
  close(): void {
    this.subscription.unsubscribe();
    this.live.clear();
  }
}
