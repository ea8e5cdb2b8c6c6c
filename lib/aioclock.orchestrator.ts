import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { AIOCLOCK_MODULE_OPTIONS } from './aioclock.module-definition.js';
import type { AioClockModuleOptions } from './aioclock.options.js';
import { TaskSupervisor } from './background/task-supervisor.js';
import { TaskScheduler } from './runner/task-scheduler.js';
import { TaskExplorer } from './task.explorer.js';

/** Ties the scheduler and supervisor to Nest's lifecycle: register on init, start on bootstrap, drain on shutdown. */
@Injectable()
export class AioClockOrchestrator
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    private readonly explorer: TaskExplorer,
    private readonly scheduler: TaskScheduler,
    private readonly supervisor: TaskSupervisor,
    @Inject(AIOCLOCK_MODULE_OPTIONS) private readonly options: AioClockModuleOptions,
  ) {}

  onModuleInit(): void {
    for (const definition of this.explorer.explore()) this.scheduler.register(definition);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.enabled === false) return;
    await this.scheduler.start();
  }

  /**
   * Scheduled runs drain first (they may still submit or await jobs), then the supervisor stops
   * admission, waits for running jobs, cancels the rest and closes its pools.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
    // Unset, each side applies its own default of 10 s.
    await this.supervisor.shutdown({ timeout: this.options.shutdownTimeout });
  }
}
