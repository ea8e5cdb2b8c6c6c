import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { AIOCLOCK_MODULE_OPTIONS } from './aioclock.module-definition.js';
import type { AioClockModuleOptions } from './aioclock.options.js';
import { TaskScheduler } from './runner/task-scheduler.js';
import { TaskExplorer } from './task.explorer.js';

/** Ties the scheduler to Nest's lifecycle: register on init, start on bootstrap, drain on shutdown. */
@Injectable()
export class AioClockOrchestrator
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    private readonly explorer: TaskExplorer,
    private readonly scheduler: TaskScheduler,
    @Inject(AIOCLOCK_MODULE_OPTIONS) private readonly options: AioClockModuleOptions,
  ) {}

  onModuleInit(): void {
    for (const definition of this.explorer.explore()) this.scheduler.register(definition);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.enabled === false) return;
    await this.scheduler.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}
