import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DecoratedMethods, type DecoratedMethod } from '../decorated-methods.js';
import type { TaskContext } from '../runner/task-context.js';
import { TaskRegistry } from '../task.registry.js';
import { Every } from '../triggers/every.trigger.js';
import { CronJob } from './cron-job.js';
import type { CronMetadata } from './decorators/cron.decorator.js';
import type { DelayMetadata } from './decorators/interval.decorator.js';
import {
  SCHEDULE_CRON_METADATA,
  SCHEDULE_INTERVAL_METADATA,
  SCHEDULE_MODULE_OPTIONS,
  SCHEDULE_TIMEOUT_METADATA,
} from './schedule.constants.js';
import type { ScheduleModuleOptions } from './schedule-module-options.interface.js';
import { SchedulerRegistry } from './scheduler.registry.js';

/**
 * Turns every `@Cron`, `@Interval` and `@Timeout` method into a task of the scheduler and an
 * entry of the SchedulerRegistry, unless the module's `cronJobs`, `intervals` or `timeouts` option
 * is false. Tasks registered here start with the application, with the module's own.
 */
@Injectable()
export class ScheduleExplorer implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    private readonly methods: DecoratedMethods,
    private readonly tasks: TaskRegistry,
    private readonly registry: SchedulerRegistry,
    @Inject(SCHEDULE_MODULE_OPTIONS) private readonly options: ScheduleModuleOptions,
  ) {}

  onModuleInit(): void {
    const { cronJobs = true, intervals = true, timeouts = true } = this.options;
    const keys = [
      ...(cronJobs ? [SCHEDULE_CRON_METADATA] : []),
      ...(intervals ? [SCHEDULE_INTERVAL_METADATA] : []),
      ...(timeouts ? [SCHEDULE_TIMEOUT_METADATA] : []),
    ];
    if (keys.length === 0) return;
    for (const found of this.methods.find(keys)) {
      const cron = found.metadata.get(SCHEDULE_CRON_METADATA) as CronMetadata | undefined;
      if (cron) this.addCron(found, cron);
      const interval = found.metadata.get(SCHEDULE_INTERVAL_METADATA) as DelayMetadata | undefined;
      if (interval) this.addDelayed(found, 'interval', interval);
      const timeout = found.metadata.get(SCHEDULE_TIMEOUT_METADATA) as DelayMetadata | undefined;
      if (timeout) this.addDelayed(found, 'timeout', timeout);
    }
  }

  /** Intervals and timeouts are cleared when the application stops, as `@nestjs/schedule` does. */
  beforeApplicationShutdown(): void {
    this.registry.clearTimers();
  }

  private addCron(found: DecoratedMethod, { cronTime, options }: CronMetadata): void {
    const { name, disabled, waitForCompletion, initialDelay, threshold, policies } = options;
    const job = CronJob.from({
      cronTime,
      onTick: (context) => this.call(found, context),
      start: !disabled,
      waitForCompletion,
      threshold,
      policies,
      initialDelay,
    });
    this.registry.addCronJob(name ?? `${found.hostName}.${found.method}`, job);
  }

  /** `@Interval` keeps a fixed rate, as setInterval does (runs may overlap); `@Timeout` fires once. */
  private addDelayed(found: DecoratedMethod, kind: 'interval' | 'timeout', delay: DelayMetadata) {
    const name = delay.name ?? `${found.hostName}.${found.method}`;
    // setInterval and setTimeout wait at least 1 ms.
    const seconds = Math.max(delay.ms, 1) / 1_000;
    this.tasks.addTask({
      name,
      trigger:
        kind === 'interval'
          ? new Every({ seconds, anchor: 'start' })
          : new Every({ seconds, maxLoopCount: 1 }),
      handler: (context: TaskContext) => {
        // Code written for @nestjs/schedule may clear the registry's handle to stop the task.
        if (this.registry.handleCleared(kind, name)) {
          this.tasks.removeTask(name);
          return undefined;
        }
        return this.call(found, context);
      },
      policies: { overlap: 'allow' },
      source: `${found.hostName}.${found.method}`,
    });
    this.registry.addTaskHandle(kind, name, name);
  }

  private call({ instance, method }: DecoratedMethod, context: TaskContext): unknown {
    return (instance as Record<string, (context: TaskContext) => unknown>)[method](context);
  }
}
