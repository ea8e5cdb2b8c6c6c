/** Reflect-metadata keys of the `@Cron`, `@Interval` and `@Timeout` decorators of this layer. */
export const SCHEDULE_CRON_METADATA = 'aioclock:schedule:cron';
export const SCHEDULE_INTERVAL_METADATA = 'aioclock:schedule:interval';
export const SCHEDULE_TIMEOUT_METADATA = 'aioclock:schedule:timeout';
/** Injection token of the `ScheduleModule` options. */
export const SCHEDULE_MODULE_OPTIONS = 'aioclock:schedule:options';

/** The kinds of scheduled work, as `@nestjs/schedule` numbers them. */
export enum SchedulerType {
  CRON = 1,
  TIMEOUT = 2,
  INTERVAL = 3,
}
