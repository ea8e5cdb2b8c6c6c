import { Counter, Gauge, type Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { RunRecord, RunStatus } from '../runner/run-record.js';
import type { SchedulerEvent } from '../runner/scheduler-events.js';
import type { TaskScheduler } from '../runner/task-scheduler.js';
import type { MetricBuckets } from './metrics.options.js';
import { TaskHistogram } from './task-histogram.js';

const RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'timedOut',
  'cancelled',
  'skipped',
  'missed',
];

/**
 * The scheduler's metrics. What a task's state already says (outcome counters, runs in flight,
 * next fire, cluster status) is read at scrape time by `collect()`, so it costs nothing per run;
 * durations, lateness and retries come from `events$`, whose terminal events carry the run record.
 */
export class SchedulerMetrics {
  private readonly duration: TaskHistogram;
  private readonly lateness: TaskHistogram;
  private readonly retries: Counter<'task'>;
  private subscription: Subscription | null = null;

  constructor(
    private readonly scheduler: TaskScheduler,
    registry: Registry,
    prefix: string,
    buckets: Required<MetricBuckets>,
  ) {
    const registers = [registry];
    const tasks = () => this.scheduler.list();
    const runs: Counter<'task' | 'status'> = new Counter({
      name: `${prefix}runs_total`,
      help: 'Runs by task and outcome; each attempt counts once, skipped and missed are fires that did not run.',
      labelNames: ['task', 'status'],
      registers,
      collect() {
        runs.reset();
        for (const task of tasks()) {
          const counters = task.stats?.counters;
          for (const status of RUN_STATUSES) {
            runs.inc({ task: task.name, status }, counters?.[status] ?? 0);
          }
        }
      },
    });
    this.duration = new TaskHistogram(
      `${prefix}run_duration_seconds`,
      'How long each attempt ran, from start to its outcome (ms resolution).',
      buckets.runDuration,
      registry,
    );
    this.lateness = new TaskHistogram(
      `${prefix}fire_lateness_seconds`,
      "A scheduled run's start minus its nominal fire time (jitter included; ms resolution).",
      buckets.fireLateness,
      registry,
    );
    this.retries = new Counter({
      name: `${prefix}retries_total`,
      help: 'Retries planned after a failed or timed-out attempt, by task.',
      labelNames: ['task'],
      registers,
    });
    const running: Gauge<'task'> = new Gauge({
      name: `${prefix}task_running`,
      help: 'Runs of the task in progress (manual runs included).',
      labelNames: ['task'],
      registers,
      collect() {
        running.reset();
        for (const task of tasks()) running.set({ task: task.name }, task.activeRuns);
      },
    });
    const inFlight: Gauge = new Gauge({
      name: `${prefix}tasks_running`,
      help: 'Runs in progress across all tasks.',
      registers,
      collect: () => inFlight.set(this.scheduler.status().runsInFlight),
    });
    const nextFire: Gauge<'task'> = new Gauge({
      name: `${prefix}next_fire_timestamp_seconds`,
      help: "The task's next planned fire time (Unix seconds); absent while none is planned.",
      labelNames: ['task'],
      registers,
      collect() {
        nextFire.reset();
        for (const task of tasks()) {
          if (task.plannedAt !== null) nextFire.set({ task: task.name }, task.plannedAt / 1_000);
        }
      },
    });
    const up: Gauge = new Gauge({
      name: `${prefix}scheduler_running`,
      help: '1 while the scheduler plans and starts runs, else 0.',
      registers,
      collect: () => up.set(this.scheduler.status().state === 'running' ? 1 : 0),
    });
  }

  /** Starts listening to run outcomes. */
  start(): void {
    this.subscription ??= this.scheduler
      .eventsOf(['succeeded', 'failed', 'timedOut', 'cancelled', 'retrying'])
      .subscribe(this.onEvent);
  }

  /** Stops listening. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  private readonly onEvent = (event: SchedulerEvent): void => {
    switch (event.type) {
      case 'succeeded':
      case 'failed':
      case 'timedOut':
      case 'cancelled':
        this.observeRun(event.record);
        break;
      case 'retrying':
        this.retries.inc({ task: event.taskName });
        break;
    }
  };

  private observeRun(record: RunRecord): void {
    const { startedAt, finishedAt, scheduledAt, taskName } = record;
    // A run aborted before its method started (a pending retry at shutdown) has no start.
    if (startedAt === null || finishedAt === null) return;
    const start = startedAt.getTime();
    this.duration.observe(taskName, (finishedAt.getTime() - start) / 1_000);
    // Lateness is the first attempt's: a retry starts late on purpose, after its backoff.
    if (record.attempt === 1 && scheduledAt !== null) {
      this.lateness.observe(taskName, (start - scheduledAt.getTime()) / 1_000);
    }
  }
}
