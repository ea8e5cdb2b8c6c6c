import { Logger } from '@nestjs/common';
import { optionError } from '../errors.js';
import { checkFunction, checkInstance } from '../utils/validation.js';
import type { TaskPolicies } from '../runner/task-policies.js';
import type { TaskDefinition } from '../runner/scheduled-task.js';
import type { TaskRegistry } from '../task.registry.js';
import { cronDateTime, type CronDateTime } from './cron-date-time.js';
import { CronTime } from './cron-time.js';
import { CONTROL_FAILED } from './schedule.messages.js';
import { systemTimeZone } from '../triggers/zoned-time.js';

/** A job's tick: `this` is the job's `context` (or the job); called with no argument, as `cron` calls it. */
export type CronTick<Context = unknown> = (this: Context) => unknown;

/** What `CronJob.from` takes: the `cron` package's parameters that this layer honours. */
export interface CronJobParams<Context = unknown> {
  cronTime: string | Date | CronTime;
  onTick: CronTick<Context>;
  /** Called when the job is stopped. */
  onComplete?: () => unknown;
  /** Start at once (default false: call `start()`). */
  start?: boolean;
  timeZone?: string | null;
  /** Minutes ahead of UTC (330 for +05:30), as `cron` takes it. */
  utcOffset?: number | null;
  /** `this` of `onTick` and `onComplete`. */
  context?: Context;
  /** Called with the error of a tick that throws (the run is also logged and recorded as failed). */
  errorHandler?: (error: unknown) => void;
  /** Accepted for compatibility; the registry name is the one given to `addCronJob`. */
  name?: string;
  /** Tick once as soon as the job is added to the registry. */
  runOnInit?: boolean;
  /** Skip a tick that comes while the previous one still runs (default: they may overlap). */
  waitForCompletion?: boolean;
  /** A tick later than this (ms) is recorded as missed instead of run (our `catchUpWindow`). */
  threshold?: number;
  /** Accepted and ignored: the scheduler's one timer never holds the process open when idle. */
  unrefTimeout?: boolean;
  /** Our extra: run policies of the task behind the job (timeout, retry, jitter...). */
  policies?: TaskPolicies;
  /** Our extra: no tick before the application's start + this many ms. */
  initialDelay?: number;
}

/**
 * A cron job as the `cron` package and `@nestjs/schedule` shape it, run by this module's scheduler
 * once added to the `SchedulerRegistry` (a job never added does not tick). `start`/`stop` resume
 * and pause the task behind it, so history, events, drain and policies all apply.
 */
// The type parameters mirror `cron`'s CronJob<OnComplete, Context>, so annotations such as
// CronJob<null, null> keep compiling.
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- kept for cron's CronJob<OnComplete, Context>
export class CronJob<_OnComplete = unknown, Context = unknown> {
  cronTime: CronTime;
  readonly waitForCompletion: boolean;
  private readonly params: CronJobParams<Context>;
  private active: boolean;
  private binding: { tasks: TaskRegistry; name: string } | null = null;

  constructor(
    cronTime: string | Date | CronTime,
    onTick: CronTick<Context>,
    onComplete?: (() => unknown) | null,
    start?: boolean | null,
    timeZone?: string | null,
    context?: Context,
    runOnInit?: boolean | null,
    utcOffset?: number | null,
    unrefTimeout?: boolean | null,
    waitForCompletion?: boolean | null,
  ) {
    this.params = {
      cronTime,
      onTick,
      onComplete: onComplete ?? undefined,
      context,
      runOnInit: runOnInit ?? false,
    };
    checkFunction(optionError('CronJob'), 'onTick', onTick);
    this.cronTime =
      cronTime instanceof CronTime ? cronTime : new CronTime(cronTime, timeZone, utcOffset);
    this.waitForCompletion = waitForCompletion ?? false;
    this.active = start ?? false;
    void unrefTimeout;
  }

  /** Builds a job from named parameters, as `CronJob.from` of the `cron` package. */
  static from<Context = unknown>(params: CronJobParams<Context>): CronJob<unknown, Context> {
    const job = new CronJob<unknown, Context>(
      params.cronTime,
      params.onTick,
      params.onComplete,
      params.start,
      params.timeZone,
      params.context,
      params.runOnInit,
      params.utcOffset,
      params.unrefTimeout,
      params.waitForCompletion,
    );
    Object.assign(job.params, {
      errorHandler: params.errorHandler,
      threshold: params.threshold,
      policies: params.policies,
      initialDelay: params.initialDelay,
    });
    return job;
  }

  /** Whether the job ticks (started and not stopped, here or by pausing its task). */
  get isActive(): boolean {
    if (this.binding) return !this.binding.tasks.getTask(this.binding.name).paused;
    return this.active;
  }

  /** The old name of `isActive`. */
  get running(): boolean {
    return this.isActive;
  }

  /** Starts ticking: resumes the task behind the job. */
  start(): void {
    if (this.isActive) return;
    this.active = true;
    if (this.binding) this.committed(this.binding.tasks.resume(this.binding.name));
  }

  /** Stops ticking (a tick in progress finishes) and calls `onComplete`. */
  stop(): void {
    if (!this.isActive) return;
    this.active = false;
    if (this.binding) this.committed(this.binding.tasks.pause(this.binding.name));
    this.params.onComplete?.call(this.params.context ?? this);
  }

  /** The nominal time of the last tick, or null before the first (or before it was added). */
  lastDate(): Date | null {
    return this.binding ? this.binding.tasks.getTask(this.binding.name).lastFiredAt : null;
  }

  /** The next tick time (computed from the schedule, also while stopped). */
  nextDate(): CronDateTime {
    const [next] = this.nextDates(1);
    if (next === undefined)
      throw new Error(`CronJob ${this.cronTime.toString()} will not fire again`);
    return next;
  }

  /** The next `count` tick times. */
  nextDates(count = 1): CronDateTime[] {
    const trigger = this.cronTime.toTrigger();
    const zone = this.zone();
    const state = trigger.createState({ timeZone: zone });
    const dates: CronDateTime[] = [];
    let from = Date.now();
    while (dates.length < count && trigger.canFire(state)) {
      const wait = trigger.nextWait(state, from);
      if (wait === null) break;
      from += wait;
      dates.push(cronDateTime(from, zone));
      trigger.advance(state, from);
    }
    return dates;
  }

  /** Replaces the schedule; a started job goes on ticking on the new one. */
  setTime(time: CronTime): void {
    checkInstance(optionError('CronJob.setTime'), 'time', time, CronTime);
    this.cronTime = time;
    if (this.binding) {
      this.committed(this.binding.tasks.setTrigger(this.binding.name, time.toTrigger()));
    }
  }

  /**
   * This API is synchronous, as `cron`'s: in one process the registry has applied the change when
   * its promise is made; in a cluster it commits later, and a failure (the store down) is logged.
   */
  private committed(change: Promise<unknown>): void {
    change.catch((error: unknown) =>
      new Logger('CronJob').error(CONTROL_FAILED(this.binding?.name ?? '', error)),
    );
  }

  /**
   * Ticks now, outside the schedule (once added: a manual run, recorded in history). Like
   * `cron`'s, it never throws: a failing tick is logged (and given to `errorHandler`).
   */
  async fireOnTick(): Promise<void> {
    try {
      if (this.binding) await this.binding.tasks.runTask(this.binding.name);
      else await this.tick();
    } catch {
      // Already logged and recorded by the scheduler, or reported to errorHandler by tick().
    }
  }

  /** The zone the job's times are read in: its own, else the module's, else the system's. */
  private zone(): string {
    const fromTask = this.binding?.tasks.getTask(this.binding.name).timeZone;
    return this.cronTime.timeZone ?? fromTask ?? systemTimeZone();
  }

  /** Registers the task behind the job under `name`; called by the SchedulerRegistry. */
  bind(tasks: TaskRegistry, name: string, extra: Partial<TaskDefinition> = {}): void {
    tasks.addTask({ ...this.definition(name), ...extra });
    this.binding = { tasks, name };
    if (this.params.runOnInit) void tasks.runTask(name).catch(() => {});
  }

  /** Removes the task behind the job (a tick in progress finishes); called by the SchedulerRegistry. */
  unbind(): void {
    if (!this.binding) return;
    this.binding.tasks.removeTask(this.binding.name);
    this.binding = null;
  }

  /** Calls `onTick`; a failure goes to `errorHandler` too, then on to the scheduler. */
  private async tick(): Promise<unknown> {
    const { onTick, context, errorHandler } = this.params;
    try {
      return await onTick.call((context ?? this) as Context);
    } catch (error) {
      errorHandler?.(error);
      throw error;
    }
  }

  private definition(name: string): TaskDefinition {
    const { threshold, policies, initialDelay } = this.params;
    return {
      name,
      trigger: this.cronTime.toTrigger(),
      handler: () => this.tick(),
      policies: {
        overlap: this.waitForCompletion ? 'skip' : 'allow',
        ...(threshold === undefined ? {} : { catchUpWindow: threshold }),
        ...policies,
      },
      disabled: !this.active,
      ...(initialDelay === undefined ? {} : { initialDelay }),
    };
  }
}
