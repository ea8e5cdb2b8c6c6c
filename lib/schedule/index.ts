// nestjs-aioclock/schedule: the public surface of @nestjs/schedule on this module's scheduler.
export { ScheduleModule } from './schedule.module.js';
export type {
  ScheduleModuleOptions,
  ScheduleModuleAsyncOptions,
  ScheduleModuleOptionsFactory,
  ScheduleModuleExtras,
} from './schedule-module-options.interface.js';
export { Cron, type CronOptions } from './decorators/cron.decorator.js';
export { Interval } from './decorators/interval.decorator.js';
export { Timeout } from './decorators/timeout.decorator.js';
export { SchedulerRegistry, type ScheduledKind } from './scheduler.registry.js';
export { CronJob, type CronJobParams, type CronTick } from './cron-job.js';
export { CronTime } from './cron-time.js';
export type { CronDateTime } from './cron-date-time.js';
export { SchedulerType } from './schedule.constants.js';
export { CronExpression } from '../triggers/cron-expression.js';
