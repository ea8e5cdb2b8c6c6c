import type { TaskPolicies } from '../../runner/task-policies.js';
import { SCHEDULE_CRON_METADATA } from '../schedule.constants.js';

/** Options of `@Cron`, as `@nestjs/schedule` takes them, and our `policies`. */
export interface CronOptions {
  /** The job's name in the SchedulerRegistry; default `ClassName.method`. */
  name?: string;
  timeZone?: string;
  /** Minutes ahead of UTC (330 for +05:30). Do not give it with `timeZone`. */
  utcOffset?: number;
  /** Skip a tick that comes while the previous one still runs (default: ticks may overlap). */
  waitForCompletion?: boolean;
  /** Registered, but ticks only after `getCronJob(name).start()`. */
  disabled?: boolean;
  /** No tick before the application's start + this many ms. */
  initialDelay?: number;
  /** A tick later than this (ms) is recorded as missed instead of run. */
  threshold?: number;
  /** Accepted and ignored (the scheduler's one timer never holds an idle process open). */
  unrefTimeout?: boolean;
  /** Our extra: run policies of the task (timeout, retry, jitter...). */
  policies?: TaskPolicies;
}

/** What `@Cron` records on a method. */
export interface CronMetadata {
  cronTime: string | Date;
  options: CronOptions;
}

/**
 * Runs the method on a cron schedule: 5 fields, or 6 with seconds first, or one `Date`. A bad
 * expression or zone makes bootstrap fail, naming the field, as with `@nestjs/schedule`.
 */
export function Cron(cronTime: string | Date, options: CronOptions = {}): MethodDecorator {
  const metadata: CronMetadata = { cronTime, options };
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(SCHEDULE_CRON_METADATA, metadata, descriptor.value as object);
    return descriptor;
  };
}
