import { Logger, Module, type DynamicModule, type LoggerService } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AIOCLOCK_LOGGER_CONTEXT } from './aioclock.constants.js';
import {
  AIOCLOCK_MODULE_OPTIONS,
  AioClockConfigurableModule,
  type AIOCLOCK_OPTIONS_TYPE,
} from './aioclock.module-definition.js';
import { validateModuleOptions, type AioClockModuleOptions } from './aioclock.options.js';
import { AioClockOrchestrator } from './aioclock.orchestrator.js';
import { TaskSupervisor } from './background/task-supervisor.js';
import { InMemoryRunStore } from './runner/run-store.js';
import { silentLogger, type SchedulerLogger } from './runner/scheduler-logger.js';
import { TaskScheduler } from './runner/task-scheduler.js';
import { TaskRunHook } from './task-run.hook.js';
import { DecoratedMethods } from './decorated-methods.js';
import { TaskExplorer } from './task.explorer.js';
import { TaskRegistry } from './task.registry.js';

function schedulerLogger(logger: LoggerService | false | undefined): SchedulerLogger {
  if (logger === false) return silentLogger;
  // Nest's own Logger carries its context; a user's LoggerService is told it with each message
  // (telling Nest's Logger again would print the context as an extra line).
  if (logger === undefined) return new Logger(AIOCLOCK_LOGGER_CONTEXT);
  if (logger instanceof Logger) return logger;
  return {
    log: (message) => logger.log(message, AIOCLOCK_LOGGER_CONTEXT),
    warn: (message) => logger.warn(message, AIOCLOCK_LOGGER_CONTEXT),
    error: (message, stack) => logger.error(message, stack, AIOCLOCK_LOGGER_CONTEXT),
    debug: logger.debug ? (message) => logger.debug!(message, AIOCLOCK_LOGGER_CONTEXT) : undefined,
  };
}

function createScheduler(options: AioClockModuleOptions, hook: TaskRunHook): TaskScheduler {
  validateModuleOptions(options);
  // The base hook only calls run(): skip the indirection unless a subclass or override replaced it.
  const wrapRun =
    Object.getPrototypeOf(hook) === TaskRunHook.prototype ? undefined : hook.wrap.bind(hook);
  return new TaskScheduler({
    logger: schedulerLogger(options.logger),
    shutdownTimeout: options.shutdownTimeout,
    misfireThreshold: options.misfireThreshold,
    defaults: options.taskDefaults,
    triggerDefaults: { timeZone: options.timeZone },
    store: options.runStore ?? new InMemoryRunStore(options.historySize),
    cluster: options.cluster,
    wrapRun,
  });
}

/**
 * Schedules every `@Task` method of the application. `forRoot(options)` or
 * `forRootAsync({ imports, inject, useFactory })`; global unless `isGlobal: false`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: TaskScheduler,
      useFactory: createScheduler,
      inject: [AIOCLOCK_MODULE_OPTIONS, TaskRunHook],
    },
    {
      // Pools start lazily, on the first job of their executor: an unused supervisor costs nothing.
      provide: TaskSupervisor,
      useFactory: (options: AioClockModuleOptions) =>
        new TaskSupervisor({ logger: schedulerLogger(options.logger), ...options.supervisor }),
      inject: [AIOCLOCK_MODULE_OPTIONS],
    },
    DecoratedMethods,
    TaskExplorer,
    TaskRegistry,
    AioClockOrchestrator,
  ],
  exports: [TaskRegistry, TaskScheduler, TaskSupervisor, DecoratedMethods],
})
export class AioClockModule extends AioClockConfigurableModule {
  /** Every option has a default, so `forRoot()` needs no argument. */
  static override forRoot(options: typeof AIOCLOCK_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
