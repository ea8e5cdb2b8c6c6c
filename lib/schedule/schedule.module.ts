import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AioClockModule } from '../aioclock.module.js';
import type { AioClockModuleOptions } from '../aioclock.options.js';
import { SCHEDULE_MODULE_OPTIONS } from './schedule.constants.js';
import { ScheduleExplorer } from './schedule.explorer.js';
import type {
  ScheduleModuleAsyncOptions,
  ScheduleModuleExtras,
  ScheduleModuleOptions,
  ScheduleModuleOptionsFactory,
} from './schedule-module-options.interface.js';
import { SchedulerRegistry } from './scheduler.registry.js';

/**
 * `@nestjs/schedule`'s module on this module's scheduler: `forRoot({ cronJobs, intervals,
 * timeouts })` or `forRootAsync(...)`, global, with `SchedulerRegistry` to inject. It brings
 * `AioClockModule.forRoot(aioclock)` with it, so TaskRegistry and every native feature are there.
 */
@Module({})
export class ScheduleModule {
  static forRoot(options: ScheduleModuleOptions & ScheduleModuleExtras = {}): DynamicModule {
    const { aioclock, ...schedule } = options;
    return ScheduleModule.build(aioclock, [
      { provide: SCHEDULE_MODULE_OPTIONS, useValue: schedule },
    ]);
  }

  static forRootAsync(options: ScheduleModuleAsyncOptions & ScheduleModuleExtras): DynamicModule {
    const { aioclock, imports = [], useFactory, useClass, useExisting, inject = [] } = options;
    const providers: Provider[] = [];
    if (useFactory) {
      providers.push({ provide: SCHEDULE_MODULE_OPTIONS, useFactory, inject });
    } else {
      const factory = (useClass ?? useExisting)!;
      if (useClass) providers.push({ provide: useClass, useClass });
      providers.push({
        provide: SCHEDULE_MODULE_OPTIONS,
        useFactory: (made: ScheduleModuleOptionsFactory) => made.createScheduleOptions(),
        inject: [factory],
      });
    }
    return ScheduleModule.build(aioclock, providers, imports);
  }

  private static build(
    aioclock: AioClockModuleOptions | undefined,
    providers: Provider[],
    imports: NonNullable<ScheduleModuleAsyncOptions['imports']> = [],
  ): DynamicModule {
    return {
      module: ScheduleModule,
      global: true,
      imports: [AioClockModule.forRoot(aioclock ?? {}), ...imports],
      providers: [...providers, SchedulerRegistry, ScheduleExplorer],
      exports: [SchedulerRegistry],
    };
  }
}
