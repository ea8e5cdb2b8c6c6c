import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { BaseTrigger } from './triggers/base.trigger.js';
import type { RunRecord } from './runner/run-record.js';
import type { ScheduledTask, TaskDefinition } from './runner/scheduled-task.js';
import type {
  SchedulerEvent,
  SchedulerEventOf,
  SchedulerEventType,
} from './runner/scheduler-events.js';
import { toTaskMetadata, type TaskMetadata } from './runner/task-metadata.js';
import type { RunNowOptions } from './runner/manual-runs.js';
import type { RemoveTaskOptions } from './runner/scheduler-options.js';
import type { SchedulerStatus } from './runner/scheduler-status.js';
import { TaskScheduler } from './runner/task-scheduler.js';
import { optionError, TaskNotFoundError } from './errors.js';
import {
  checkBoolean,
  checkDate,
  checkInteger,
  checkKnownKeys,
  checkString,
} from './utils/validation.js';

/** Options of `getHistory`. */
export interface HistoryOptions {
  /** Newest records to return; default 20. */
  limit?: number;
}

/** Options of `getUpcoming`. */
export interface UpcomingOptions {
  /** How many fire times; default 5, at most 1000. */
  count?: number;
  /** The earliest fire time to list; default now. */
  from?: Date;
}

/** The most fire times `getUpcoming` lists at once. */
export const MAX_UPCOMING = 1_000;

const HISTORY_KEYS = Object.keys({ limit: true } satisfies Record<keyof HistoryOptions, true>);
const RUN_KEYS = Object.keys({ respectOverlap: true, requestId: true } satisfies Record<
  keyof RunNowOptions,
  true
>);
const UPCOMING_KEYS = Object.keys({ count: true, from: true } satisfies Record<
  keyof UpcomingOptions,
  true
>);
const REMOVE_KEYS = Object.keys({ abort: true } satisfies Record<keyof RemoveTaskOptions, true>);

/**
 * The external API of the scheduler (aioclock's `api` module): list tasks, run one now, pause,
 * resume, change a trigger, read history and watch events. Inject it into controllers.
 */
@Injectable()
export class TaskRegistry {
  constructor(private readonly scheduler: TaskScheduler) {}

  /** Every task, startup and shutdown ones included, in registration order. */
  getTasks(): TaskMetadata[] {
    return this.scheduler.list().map(toTaskMetadata);
  }

  /** One task by id or name; throws TaskNotFoundError. */
  getTask(idOrName: string): TaskMetadata {
    return toTaskMetadata(this.scheduler.get(idOrName));
  }

  /**
   * Runs a task now; resolves with the method's value, rejects with its error. With a `requestId`
   * it runs once per id (cluster-wide in a cluster): a repeat rejects with DuplicateRunRequestError.
   */
  async runTask(idOrName: string, options: RunNowOptions = {}): Promise<unknown> {
    const fail = optionError('runTask');
    checkKnownKeys(fail, '', options, RUN_KEYS);
    if (options.respectOverlap !== undefined)
      checkBoolean(fail, 'respectOverlap', options.respectOverlap);
    if (options.requestId !== undefined) checkString(fail, 'requestId', options.requestId);
    return this.scheduler.runNow(this.scheduler.get(idOrName), options);
  }

  /**
   * Stops planning runs of a task; a run in progress finishes. Resolves once the change is
   * committed: at once in one process; in a cluster once the store has it, after which no replica
   * starts a tick of the task (the others apply it at their next sync read, within about one `syncInterval`).
   */
  async pause(idOrName: string): Promise<TaskMetadata> {
    const task = this.scheduler.get(idOrName);
    await this.scheduler.pause(task);
    return toTaskMetadata(task);
  }

  /** Plans the task's next run from now; resolves once committed (see pause). */
  async resume(idOrName: string): Promise<TaskMetadata> {
    const task = this.scheduler.get(idOrName);
    await this.scheduler.resume(task);
    return toTaskMetadata(task);
  }

  /** Pauses every task of a group; rejects with TaskNotFoundError for a group with no task. */
  async pauseGroup(group: string): Promise<TaskMetadata[]> {
    checkString(optionError('pauseGroup'), 'group', group);
    const tasks = this.groupTasks(group);
    await Promise.all(tasks.map((task) => this.scheduler.pause(task)));
    return tasks.map(toTaskMetadata);
  }

  /** Resumes every task of a group; resolves once committed (see pause). */
  async resumeGroup(group: string): Promise<TaskMetadata[]> {
    checkString(optionError('resumeGroup'), 'group', group);
    const tasks = this.groupTasks(group);
    await Promise.all(tasks.map((task) => this.scheduler.resume(task)));
    return tasks.map(toTaskMetadata);
  }

  /**
   * Replaces a task's trigger from its next fire time on; resolves once committed (see pause). In a
   * cluster the trigger must be a built-in one (it is rebuilt on each replica from `describe()`).
   */
  async setTrigger(idOrName: string, trigger: BaseTrigger): Promise<TaskMetadata> {
    const task = this.scheduler.get(idOrName);
    await this.scheduler.setTrigger(task, trigger);
    return toTaskMetadata(task);
  }

  /** A task's history, newest first; also of a task removed since. */
  async getHistory(idOrName: string, options: HistoryOptions = {}): Promise<RunRecord[]> {
    const fail = optionError('getHistory');
    checkKnownKeys(fail, '', options, HISTORY_KEYS);
    const limit = checkInteger(fail, 'limit', options.limit ?? 20, { min: 1 });
    // A removed task's history stays readable by its name.
    return this.scheduler.history(idOrName, limit);
  }

  /**
   * The task's next nominal fire times, in its zone's real instants (DST included), computed on a
   * copy of its schedule. Empty while paused, for startup and shutdown tasks, once exhausted or
   * stopped, and for back-to-back triggers (Forever); runs are assumed to take no time where the
   * next fire depends on a run's end. Unknown: TaskNotFoundError.
   */
  getUpcoming(idOrName: string, options: UpcomingOptions = {}): Date[] {
    const fail = optionError('getUpcoming');
    checkKnownKeys(fail, '', options, UPCOMING_KEYS);
    const count = checkInteger(fail, 'count', options.count ?? 5, { min: 1, max: MAX_UPCOMING });
    const from =
      options.from === undefined ? Date.now() : checkDate(fail, 'from', options.from).getTime();
    const task = this.scheduler.get(idOrName);
    return this.scheduler.upcoming(task, from, count).map((at) => new Date(at));
  }

  /**
   * Registers a task by hand, e.g. one built from configuration at run time; it is scheduled at once
   * if the scheduler runs. Refer to it by name afterwards (`getTask(name)` for its metadata).
   */
  addTask(definition: TaskDefinition): TaskMetadata {
    return toTaskMetadata(this.scheduler.register(definition));
  }

  /**
   * Removes a task: nothing more is planned and its name is free again. A run in progress
   * finishes, or with `{ abort: true }` has its signal aborted (TaskRemovedError). Its history
   * stays readable by name. Unknown: TaskNotFoundError.
   */
  removeTask(idOrName: string, options: RemoveTaskOptions = {}): void {
    checkKnownKeys(optionError('removeTask'), '', options, REMOVE_KEYS);
    if (options.abort !== undefined)
      checkBoolean(optionError('removeTask'), 'abort', options.abort);
    this.scheduler.remove(this.scheduler.get(idOrName), options);
  }

  /** Whether a task has this id or name. */
  hasTask(idOrName: string): boolean {
    return this.scheduler.has(idOrName);
  }

  /** Every scheduling and run event. */
  get events$(): Observable<SchedulerEvent> {
    return this.scheduler.events$;
  }

  /** Only events of the chosen types; types nobody listens to are not even built. */
  eventsOf<T extends SchedulerEventType>(types: readonly T[]): Observable<SchedulerEventOf<T>> {
    return this.scheduler.eventsOf(types);
  }

  /** Whether the scheduler runs, and (in a cluster) whether its store answers: for health checks. */
  status(): SchedulerStatus {
    return this.scheduler.status();
  }

  /** True when nothing is planned or running. */
  isIdle(): boolean {
    return this.scheduler.isIdle();
  }

  /** Resolves when nothing is planned or running any more. */
  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  private groupTasks(group: string): ScheduledTask[] {
    const tasks = this.scheduler.list().filter((task) => task.group === group);
    if (tasks.length === 0) throw new TaskNotFoundError(`group:${group}`);
    return tasks;
  }
}
