import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DecoratedMethods, type DecoratedMethod } from '../decorated-methods.js';
import { TaskRegistry } from '../task.registry.js';
import { TaskScheduler } from '../runner/task-scheduler.js';
import { NodeTimerTrigger } from './node-timer.trigger.js';
import { DUPLICATE_SCHEDULER } from './schedule.messages.js';
import { optionError } from '../errors.js';
import { checkTimerDelay } from '../utils/validation.js';
import { CronJob } from './cron-job.js';
import { CronTime } from './cron-time.js';
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
export class ScheduleExplorer
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  /** Decorated intervals and timeouts, whose Node timers start with the application. */
  private readonly timerTasks: { kind: 'interval' | 'timeout'; name: string; ms: number }[] = [];

  constructor(
    private readonly methods: DecoratedMethods,
    private readonly tasks: TaskRegistry,
    private readonly scheduler: TaskScheduler,
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
      if (interval) this.addTimerTask(found, 'interval', interval);
      const timeout = found.metadata.get(SCHEDULE_TIMEOUT_METADATA) as DelayMetadata | undefined;
      if (timeout) this.addTimerTask(found, 'timeout', timeout);
    }
  }

  /** Timers are cleared and the registry emptied when the application stops, as `@nestjs/schedule` does. */
  beforeApplicationShutdown(): void {
    this.registry.clearAll();
  }

  private addCron(found: DecoratedMethod, { cronTime, options }: CronMetadata): void {
    const { name, disabled, waitForCompletion, initialDelay, threshold, policies } = options;
    const job = CronJob.from({
      cronTime: new CronTime(cronTime, options.timeZone, options.utcOffset),
      onTick: () => this.call(found),
      start: !disabled,
      waitForCompletion,
      threshold,
      policies,
      initialDelay,
    });
    this.registry.addCronJob(name ?? `${found.hostName}.${found.method}`, job);
  }

  /**
   * `@Interval` and `@Timeout` become tasks whose clock is a Node timer, started with the
   * application and kept in the registry, as `@nestjs/schedule` does: code that clears it stops
   * the task, under jest's fake timers too. Each tick fires the task (runs may overlap).
   */
  private addTimerTask(found: DecoratedMethod, kind: 'interval' | 'timeout', delay: DelayMetadata) {
    const name = delay.name ?? `${found.hostName}.${found.method}`;
    const kindName = kind === 'interval' ? 'Interval' : 'Timeout';
    // A Node timer turns NaN or more than 2^31-1 ms into 1 ms: refuse them, naming the job.
    checkTimerDelay(optionError(`@${kindName}('${name}')`), 'ms', delay.ms);
    if (this.timerTasks.some((timer) => timer.kind === kind && timer.name === name)) {
      throw new Error(DUPLICATE_SCHEDULER(kindName, name));
    }
    this.tasks.addTask({
      name,
      trigger: new NodeTimerTrigger(kind, delay.ms),
      handler: () => this.call(found),
      policies: { overlap: 'allow' },
      source: `${found.hostName}.${found.method}`,
    });
    this.timerTasks.push({ kind, name, ms: delay.ms });
  }

  /** Starts the Node timers of `@Interval` and `@Timeout` tasks once the scheduler runs. */
  onApplicationBootstrap(): void {
    for (const { kind, name, ms } of this.timerTasks) {
      const task = this.scheduler.get(name);
      const fire = () => this.scheduler.fireExternally(task);
      if (kind === 'interval') this.registry.addInterval(name, setInterval(fire, ms));
      else this.registry.addTimeout(name, setTimeout(fire, ms));
    }
  }

  /** Calls the method with no argument, as `@nestjs/schedule` does. */
  private call({ instance, method }: DecoratedMethod): unknown {
    return (instance as Record<string, () => unknown>)[method]();
  }
}
