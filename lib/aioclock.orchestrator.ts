import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { AIOCLOCK_MODULE_OPTIONS } from './aioclock.module-definition.js';
import type { AioClockModuleOptions } from './aioclock.options.js';
import { TaskSupervisor } from './background/task-supervisor.js';
import { DEFAULT_SHUTDOWN_TIMEOUT, TaskScheduler } from './runner/task-scheduler.js';
import { TaskExplorer } from './task.explorer.js';

/**
 * Ties the scheduler and supervisor to Nest's lifecycle: register on init, start on bootstrap,
 * stop planning and end the event streams before shutdown, drain on shutdown.
 */
@Injectable()
export class AioClockOrchestrator
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  /** When (epoch ms) shutdown stops waiting for runs and jobs: one deadline for both. */
  private deadline: number | undefined;

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
   * Nest closes the HTTP server between this hook and the next, and the server waits for open
   * connections: an SSE response on `events$` would hold it (and tasks would keep firing) unless
   * planning stops and the streams complete here.
   */
  beforeApplicationShutdown(): void {
    this.startDeadline();
    this.scheduler.stopPlanning();
    this.scheduler.completeEvents();
    this.supervisor.completeEvents();
  }

  /**
   * Scheduled runs drain first (they may still submit or await jobs), then the supervisor stops
   * admission, waits for running jobs, cancels the rest and closes its pools: both within one
   * `shutdownTimeout`.
   */
  async onApplicationShutdown(): Promise<void> {
    const deadline = this.startDeadline();
    await this.scheduler.shutdown({ deadline });
    await this.supervisor.shutdown({ deadline });
  }

  private startDeadline(): number {
    this.deadline ??= Date.now() + (this.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT);
    return this.deadline;
  }
}
