import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { register, type Registry } from 'prom-client';
import { TaskSupervisor } from '../background/task-supervisor.js';
import { TaskScheduler } from '../runner/task-scheduler.js';
import { registerClusterMetrics } from './cluster.metrics.js';
import { AIOCLOCK_METRICS_OPTIONS } from './metrics.constants.js';
import { DEFAULT_BUCKETS, type AioClockMetricsOptions } from './metrics.options.js';
import { SchedulerMetrics } from './scheduler.metrics.js';
import { SupervisorMetrics } from './supervisor.metrics.js';

/**
 * Registers the `aioclock_` metrics into the registry at construction and removes them when the
 * application closes, so that an app built again in the same process (tests) can register anew.
 */
@Injectable()
export class AioClockMetrics implements OnModuleInit, OnApplicationShutdown {
  /** The registry the metrics are in: serve `registry.metrics()` at `/metrics`. */
  readonly registry: Registry;
  private registered: string[] = [];
  private readonly scheduler: SchedulerMetrics;
  private readonly supervisor: SupervisorMetrics;

  constructor(
    @Inject(AIOCLOCK_METRICS_OPTIONS) options: AioClockMetricsOptions,
    taskScheduler: TaskScheduler,
    taskSupervisor: TaskSupervisor,
  ) {
    this.registry = options.registry ?? register;
    const prefix = options.prefix ?? 'aioclock_';
    const buckets = { ...DEFAULT_BUCKETS, ...options.buckets };
    const before = new Set(this.names());
    try {
      this.scheduler = new SchedulerMetrics(taskScheduler, this.registry, prefix, buckets);
      this.supervisor = new SupervisorMetrics(taskSupervisor, this.registry, prefix, buckets);
      if (taskScheduler.status().cluster !== null) {
        registerClusterMetrics(taskScheduler, this.registry, prefix);
      }
    } catch (error) {
      // A name already taken (two apps on one registry): what was registered must not stay.
      for (const name of this.names())
        if (!before.has(name)) this.registry.removeSingleMetric(name);
      throw error;
    }
    this.registered = this.names().filter((name) => !before.has(name));
  }

  /** Starts listening to run and job events. */
  onModuleInit(): void {
    this.scheduler.start();
    this.supervisor.start();
  }

  /** Removes the metrics once the app has closed; a scrape during shutdown still answers. */
  onApplicationShutdown(): void {
    this.scheduler.stop();
    this.supervisor.stop();
    for (const name of this.registered) this.registry.removeSingleMetric(name);
  }

  private names(): string[] {
    return this.registry.getMetricsAsArray().map((metric) => metric.name);
  }
}
