import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import type { AioClockModuleOptions } from './aioclock.options.js';
import { TaskRunHook } from './task-run.hook.js';

/** Extras of forRoot/forRootAsync that shape the module itself rather than its options. */
export interface AioClockModuleExtras {
  /** Register the module globally (default true), so TaskRegistry is injectable everywhere. */
  isGlobal?: boolean;
  /** A TaskRunHook subclass that wraps every run. */
  runHook?: Type<TaskRunHook>;
}

export const {
  ConfigurableModuleClass: AioClockConfigurableModule,
  MODULE_OPTIONS_TOKEN: AIOCLOCK_MODULE_OPTIONS,
  OPTIONS_TYPE: AIOCLOCK_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AioClockModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<AioClockModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
    providers: [
      ...(definition.providers ?? []),
      { provide: TaskRunHook, useClass: extras.runHook ?? TaskRunHook },
    ],
  }))
  .build();
