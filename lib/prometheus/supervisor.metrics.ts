import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { BackgroundEvent } from '../background/background.events.js';
import { EXECUTOR_KINDS, type JobHandle } from '../background/job.interface.js';
import type { TaskSupervisor } from '../background/task-supervisor.js';
import type { MetricBuckets } from './metrics.options.js';

type JobLabel = 'executor' | 'priority';

/**
 * The background jobs' metrics: counts, wait and run times from the supervisor's events, queue
 * depths and running jobs from `stats()` at scrape time.
 */
export class SupervisorMetrics {
  private readonly jobs: Counter<JobLabel | 'status'>;
  private readonly refused: Counter<'limit'>;
  private readonly wait: Histogram<JobLabel>;
  private readonly duration: Histogram<JobLabel>;
  private subscription: Subscription | null = null;

  constructor(
    private readonly supervisor: TaskSupervisor,
    registry: Registry,
    prefix: string,
    buckets: Required<MetricBuckets>,
  ) {
    const registers = [registry];
    this.jobs = new Counter({
      name: `${prefix}jobs_total`,
      help: 'Background jobs finished, by executor, priority and outcome.',
      labelNames: ['executor', 'priority', 'status'],
      registers,
    });
    this.refused = new Counter({
      name: `${prefix}jobs_refused_total`,
      help: 'Job submissions a limit refused, by limit.',
      labelNames: ['limit'],
      registers,
    });
    this.wait = new Histogram({
      name: `${prefix}job_wait_seconds`,
      help: "From a job's submission to its start (its delay included).",
      labelNames: ['executor', 'priority'],
      buckets: buckets.jobWait,
      registers,
    });
    this.duration = new Histogram({
      name: `${prefix}job_duration_seconds`,
      help: "From a job's start to its outcome.",
      labelNames: ['executor', 'priority'],
      buckets: buckets.jobDuration,
      registers,
    });
    const gauge = (name: string, help: string, pick: 'running' | 'queued' | 'delayed') => {
      const metric: Gauge<'executor'> = new Gauge({
        name: `${prefix}${name}`,
        help,
        labelNames: ['executor'],
        registers,
        collect() {
          const { executors } = supervisor.stats();
          for (const executor of EXECUTOR_KINDS)
            metric.set({ executor }, executors[executor][pick]);
        },
      });
    };
    gauge('jobs_running', 'Background jobs running, by executor.', 'running');
    gauge(
      'jobs_queued',
      'Background jobs waiting for a slot (queue depth), by executor.',
      'queued',
    );
    gauge('jobs_delayed', 'Background jobs waiting out their delay, by executor.', 'delayed');
  }

  /** Starts listening to job events. */
  start(): void {
    this.subscription ??= this.supervisor.events$.subscribe(this.onEvent);
  }

  /** Stops listening. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  private readonly onEvent = (event: BackgroundEvent): void => {
    switch (event.type) {
      case 'started':
        this.wait.observe(
          labelsOf(event.job),
          seconds(event.job.timeQueued, event.job.timeStarted),
        );
        break;
      case 'done':
        this.finished(event.job);
        break;
      case 'limited':
        this.refused.inc({ limit: event.limit });
        break;
    }
  };

  private finished(job: JobHandle): void {
    const labels = labelsOf(job);
    this.jobs.inc({ ...labels, status: job.status });
    if (job.timeStarted !== null) {
      this.duration.observe(labels, seconds(job.timeStarted, job.timeFinished));
    }
  }
}

function labelsOf(job: JobHandle): Record<JobLabel, string> {
  return { executor: job.executor, priority: job.priority };
}

function seconds(from: Date, to: Date | null): number {
  return to === null ? 0 : (to.getTime() - from.getTime()) / 1_000;
}
