import { Injectable } from '@nestjs/common';
import { TaskRegistry } from '../task.registry.js';
import { CronJob } from './cron-job.js';
import { DUPLICATE_SCHEDULER, NO_SCHEDULER_FOUND } from './schedule.messages.js';

/** The kinds of scheduled work the registry names. */
export type ScheduledKind = 'cron' | 'interval' | 'timeout';

/**
 * `@nestjs/schedule`'s registry on this module's scheduler: the same methods, return shapes and
 * errors. Cron jobs (decorated, or added with `addCronJob(name, new CronJob(...))`) are tasks of
 * the scheduler. A decorated interval or timeout is a task too, whose clock is the Node timer kept
 * here, as `@nestjs/schedule` keeps it: clearing it (`clearInterval`, `deleteInterval`) stops the
 * task. A raw Node timer added with `addInterval`/`addTimeout` is kept and cleared the same way,
 * and gets none of the scheduler's policies.
 */
@Injectable()
export class SchedulerRegistry {
  private readonly cronJobs = new Map<string, CronJob>();
  private readonly intervals = new Map<string, unknown>();
  private readonly timeouts = new Map<string, unknown>();

  constructor(private readonly tasks: TaskRegistry) {}

  doesExist(type: ScheduledKind, name: string): boolean {
    switch (type) {
      case 'cron':
        return this.cronJobs.has(name);
      case 'interval':
        return this.intervals.has(name);
      case 'timeout':
        return this.timeouts.has(name);
      default:
        return false;
    }
  }

  getCronJob(name: string): CronJob {
    const job = this.cronJobs.get(name);
    if (!job) throw new Error(NO_SCHEDULER_FOUND('Cron Job', name));
    return job;
  }

  // The value is whatever was added (a Node timer): typed by the caller, as in @nestjs/schedule.
  getInterval<T = ReturnType<typeof setInterval>>(name: string): T {
    if (!this.intervals.has(name)) throw new Error(NO_SCHEDULER_FOUND('Interval', name));
    return this.intervals.get(name) as T;
  }

  getTimeout<T = ReturnType<typeof setTimeout>>(name: string): T {
    if (!this.timeouts.has(name)) throw new Error(NO_SCHEDULER_FOUND('Timeout', name));
    return this.timeouts.get(name) as T;
  }

  /** Adds a job under `name`; it ticks if it was built with `start: true`, else after `start()`. */
  addCronJob(name: string, job: CronJob): void {
    if (this.cronJobs.has(name)) throw new Error(DUPLICATE_SCHEDULER('Cron Job', name));
    if (!(job instanceof CronJob)) {
      throw new TypeError(
        `addCronJob("${name}"): the job must be a CronJob from nestjs-aioclock/schedule`,
      );
    }
    job.bind(this.tasks, name);
    this.cronJobs.set(name, job);
  }

  addInterval<T = unknown>(name: string, intervalId: T): void {
    if (this.intervals.has(name)) throw new Error(DUPLICATE_SCHEDULER('Interval', name));
    this.intervals.set(name, intervalId);
  }

  addTimeout<T = unknown>(name: string, timeoutId: T): void {
    if (this.timeouts.has(name)) throw new Error(DUPLICATE_SCHEDULER('Timeout', name));
    this.timeouts.set(name, timeoutId);
  }

  getCronJobs(): Map<string, CronJob> {
    return this.cronJobs;
  }

  /** Stops the job and removes it (a tick in progress finishes). */
  deleteCronJob(name: string): void {
    const job = this.getCronJob(name);
    job.stop();
    job.unbind();
    this.cronJobs.delete(name);
  }

  getIntervals(): string[] {
    return [...this.intervals.keys()];
  }

  deleteInterval(name: string): void {
    const handle = this.getInterval<unknown>(name);
    clearInterval(handle as ReturnType<typeof setInterval>);
    this.intervals.delete(name);
  }

  getTimeouts(): string[] {
    return [...this.timeouts.keys()];
  }

  deleteTimeout(name: string): void {
    const handle = this.getTimeout<unknown>(name);
    clearTimeout(handle as ReturnType<typeof setTimeout>);
    this.timeouts.delete(name);
  }

  /**
   * Clears every interval and timeout and empties the registry, as `@nestjs/schedule` does when
   * the application stops. The tasks behind the jobs stay (the module's shutdown drains them), so
   * their history stays readable.
   */
  clearAll(): void {
    for (const job of this.cronJobs.values()) job.stop();
    this.cronJobs.clear();
    for (const map of [this.intervals, this.timeouts]) {
      for (const handle of map.values()) clearInterval(handle as ReturnType<typeof setInterval>);
      map.clear();
    }
  }
}
