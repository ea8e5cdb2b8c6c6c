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
 * The event loop's own setImmediate, taken when this module loads: a test that fakes timers
 * (jest) must not have to move time for `app.close()` to end.
 */
const realSetImmediate = globalThis.setImmediate;

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
  async beforeApplicationShutdown(): Promise<void> {
    this.startDeadline();
    this.scheduler.stopPlanning();
    const observed = [this.scheduler.completeEvents(), this.supervisor.completeEvents()];
    // A stream that had subscribers may have been an SSE response: one turn of the event loop
    // lets it flush, so its connection is idle when Nest closes the server right after (else the
    // server waits for its keep-alive timeout).
    if (observed.includes(true)) await new Promise<void>((resolve) => realSetImmediate(resolve));
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
