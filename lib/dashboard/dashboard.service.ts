import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type MessageEvent,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  asyncScheduler,
  concat,
  endWith,
  ignoreElements,
  interval,
  map,
  merge,
  of,
  ReplaySubject,
  Subject,
  take,
  takeUntil,
  throttleTime,
  type Observable,
} from 'rxjs';
import { TaskSupervisor } from '../background/task-supervisor.js';
import type { TaskMetadata } from '../runner/task-metadata.js';
import { TaskRegistry } from '../task.registry.js';
import { dashboardMessages } from './dashboard.messages.js';
import type { ResolvedDashboardOptions } from './dashboard.options.js';
import {
  toLiveTaskEvent,
  toTaskView,
  toTimelineRun,
  type OverviewView,
  type TaskDetailView,
  type TaskView,
  type TimelineView,
} from './dashboard.views.js';
import { JobTracker } from './job-tracker.js';

/** Token of the resolved dashboard options. */
export const DASHBOARD_OPTIONS = Symbol('AIOCLOCK_DASHBOARD_OPTIONS');

/** Runs kept per task on the timeline and on a task's page. */
const TIMELINE_RUNS = 50;
const DETAIL_HISTORY = 50;
const UPCOMING_COUNT = 10;
/** Proxies drop idle connections; a ping message every so often keeps the stream open. */
const HEARTBEAT_MS = 20_000;
const JOB_NUDGE_MS = 250;
/** How long shutdown waits for open streams to flush their end before Nest closes the server. */
const STREAM_END_WAIT_MS = 1_000;
/** Taken at load, so that a test faking timers does not have to move time for close() to end. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** The part of Node's response the stream tracking needs. */
export interface StreamResponse {
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * What the dashboard's routes answer: views built from the registry (and the supervisor, when
 * there is one), the actions, and the live stream, which ends at shutdown so that Nest can close
 * the HTTP server with a page open.
 */
@Injectable()
export class DashboardService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('AioClockDashboard');
  private readonly jobChanges = new Subject<void>();
  private readonly closing = new ReplaySubject<true>(1);
  private tracker: JobTracker | null = null;
  private readonly openStreams = new Set<StreamResponse>();

  constructor(
    @Inject(TaskRegistry) private readonly registry: TaskRegistry,
    @Inject(DASHBOARD_OPTIONS) private readonly options: ResolvedDashboardOptions,
    @Optional() @Inject(TaskSupervisor) private readonly supervisor?: TaskSupervisor,
  ) {}

  onModuleInit(): void {
    if (this.options.guard === null)
      this.logger.warn(dashboardMessages.unguardedWarning(this.options.path));
    else this.logger.log(dashboardMessages.mounted(this.options.path));
    if (this.supervisor) {
      this.tracker = new JobTracker(this.supervisor, () => this.jobChanges.next());
    }
  }

  /**
   * Ends every event stream, and waits until their responses are written, before Nest closes the
   * HTTP server: the server waits for open responses, and closes at once only connections idle by
   * then (a connection whose end is still in flight would hold it for its keep-alive timeout).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing.next(true);
    const ends = [...this.openStreams].map(
      (response) =>
        new Promise<void>((resolve) => {
          if (response.writableFinished || response.destroyed) return resolve();
          response.once('finish', resolve);
          response.once('close', resolve);
        }),
    );
    if (ends.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = realSetTimeout(resolve, STREAM_END_WAIT_MS);
    });
    await Promise.race([Promise.all(ends), deadline]);
    realClearTimeout(timer);
  }

  onModuleDestroy(): void {
    this.tracker?.close();
  }

  /** The main page's data; the timeline covers the last `windowMs`. */
  async overview(windowMs: number): Promise<OverviewView> {
    const now = Date.now();
    const tasks = this.registry.getTasks();
    return {
      generatedAt: new Date(now),
      status: this.registry.status(),
      tasks: tasks.map(toTaskView),
      timeline: await this.timeline(tasks, now - windowMs, now),
      jobs: this.tracker?.view() ?? null,
    };
  }

  /** One task's page; throws TaskNotFoundError. */
  async detail(idOrName: string): Promise<TaskDetailView> {
    const task = toTaskView(this.registry.getTask(idOrName));
    const history = await this.registry.getHistory(task.name, { limit: DETAIL_HISTORY });
    const upcoming = this.registry.getUpcoming(task.name, { count: UPCOMING_COUNT });
    return { task, history, upcoming };
  }

  /** Starts a run and answers at once: its outcome goes to history and the event stream. */
  runNow(idOrName: string): TaskView {
    const task = this.registry.getTask(idOrName);
    // The rejection is the run's failure, already recorded in history; nobody awaits it here.
    this.registry.runTask(task.name).catch(() => undefined);
    return toTaskView(this.registry.getTask(task.name));
  }

  async pause(idOrName: string): Promise<TaskView> {
    return toTaskView(await this.registry.pause(idOrName));
  }

  async resume(idOrName: string): Promise<TaskView> {
    return toTaskView(await this.registry.resume(idOrName));
  }

  /**
   * The live stream: a `hello`, then a `task` message per scheduler event, a `jobs` nudge when
   * background jobs change, a `ping` now and then, and a final `bye` when the scheduler's events
   * end or the app shuts down, after which the response ends.
   */
  stream(response?: StreamResponse): Observable<MessageEvent> {
    if (response !== undefined) {
      this.openStreams.add(response);
      response.once('close', () => this.openStreams.delete(response));
    }
    const end$ = merge(
      this.registry.events$.pipe(ignoreElements(), endWith(true)),
      this.closing,
    ).pipe(take(1));
    const live$ = merge(
      this.registry.events$.pipe(map((event) => ({ type: 'task', data: toLiveTaskEvent(event) }))),
      this.jobChanges.pipe(
        throttleTime(JOB_NUDGE_MS, asyncScheduler, { leading: true, trailing: true }),
        map(() => ({ type: 'jobs', data: {} })),
      ),
      interval(HEARTBEAT_MS).pipe(map(() => ({ type: 'ping', data: {} }))),
    ).pipe(takeUntil(end$));
    return concat(of({ type: 'hello', data: {} }), live$, of({ type: 'bye', data: {} }));
  }

  private async timeline(tasks: TaskMetadata[], from: number, to: number): Promise<TimelineView> {
    const rows = await Promise.all(
      tasks.map(async (task) => {
        const history = await this.registry.getHistory(task.name, { limit: TIMELINE_RUNS });
        const runs = history.flatMap((record) => toTimelineRun(record, from) ?? []);
        return { taskId: task.id, taskName: task.name, runs };
      }),
    );
    return { from, to, rows };
  }
}
