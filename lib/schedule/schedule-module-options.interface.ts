import type { ModuleMetadata, Type } from '@nestjs/common';
import type { AioClockModuleOptions } from '../aioclock.options.js';

/** Options of `ScheduleModule.forRoot`: which kinds of decorated work to schedule (all by default). */
export interface ScheduleModuleOptions {
  cronJobs?: boolean;
  intervals?: boolean;
  timeouts?: boolean;
}

/** A class that builds the options, for `forRootAsync({ useClass | useExisting })`. */
export interface ScheduleModuleOptionsFactory {
  createScheduleOptions(): Promise<ScheduleModuleOptions> | ScheduleModuleOptions;
}

/** Options of `ScheduleModule.forRootAsync`. */
export interface ScheduleModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useExisting?: Type<ScheduleModuleOptionsFactory>;
  useClass?: Type<ScheduleModuleOptionsFactory>;
  useFactory?: (...args: never[]) => Promise<ScheduleModuleOptions> | ScheduleModuleOptions;
  inject?: (string | symbol | Type | ((...args: never[]) => unknown))[];
}

/** Our extra: the AioClockModule options the layer runs on (zone, shutdown timeout, logger...). */
export interface ScheduleModuleExtras {
  aioclock?: AioClockModuleOptions;
}
