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
  bufferTime,
  concat,
  endWith,
  filter,
  ignoreElements,
  interval,
  map,
  merge,
  of,
  ReplaySubject,
  share,
  Subject,
  take,
  takeUntil,
  throttleTime,
  type Observable,
} from 'rxjs';
import { TaskSupervisor } from '../background/task-supervisor.js';
import { TaskRegistry } from '../task.registry.js';
import { dashboardMessages } from './dashboard.messages.js';
import type { ResolvedDashboardOptions } from './dashboard.options.js';
import {
  toLiveTaskBatch,
  toTaskView,
  type OverviewView,
  type TaskDetailView,
  type TaskView,
} from './dashboard.views.js';
import { JobTracker } from './job-tracker.js';
import { TimelineRecorder } from './timeline-recorder.js';

/** Token of the resolved dashboard options. */
export const DASHBOARD_OPTIONS = Symbol('AIOCLOCK_DASHBOARD_OPTIONS');

/** Runs on a task's page. */
const DETAIL_HISTORY = 50;
/**
 * How long one computed overview serves every page: with hundreds of busy tasks, computing and
 * serialising it per page and per event burst was what made the dashboard expensive.
 */
const OVERVIEW_TTL_MS = 1_000;
/** The stream sends at most one `tasks` message per this interval, however many events came. */
const BATCH_MS = 500;
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
  private readonly timeline: TimelineRecorder;
  private readonly openStreams = new Set<StreamResponse>();
  /** Overview JSON by window, shared by every page until it is OVERVIEW_TTL_MS old. */
  private readonly overviews = new Map<number, { at: number; json: Promise<string> }>();
  /** One buffer for every open stream; it runs only while a stream is open. */
  private readonly batches$: Observable<MessageEvent>;

  constructor(
    @Inject(TaskRegistry) private readonly registry: TaskRegistry,
    @Inject(DASHBOARD_OPTIONS) private readonly options: ResolvedDashboardOptions,
    @Optional() @Inject(TaskSupervisor) private readonly supervisor?: TaskSupervisor,
  ) {
    // A pause or resume must show on the next refetch, not a cached overview later.
    this.timeline = new TimelineRecorder(registry, () => this.overviews.clear());
    this.batches$ = registry.events$.pipe(
      bufferTime(BATCH_MS),
      filter((events) => events.length > 0),
      map((events) => ({ type: 'tasks', data: toLiveTaskBatch(events) })),
      share(),
    );
  }

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
    this.timeline.close();
    this.overviews.clear();
  }

  /**
   * The main page's data as JSON, the timeline covering the last `windowMs`: computed at most once
   * per OVERVIEW_TTL_MS and window, whatever the number of pages asking.
   */
  async overviewJson(windowMs: number): Promise<string> {
    const shared = await this.sharedOverviewJson(windowMs);
    // Background jobs are few and change apart from tasks: they are read fresh for each page.
    const jobs = JSON.stringify(this.tracker?.view() ?? null);
    return `{"jobs":${jobs},${shared.slice(1)}`;
  }

  private sharedOverviewJson(windowMs: number): Promise<string> {
    const now = Date.now();
    for (const [window, cached] of this.overviews) {
      if (now - cached.at >= OVERVIEW_TTL_MS) this.overviews.delete(window);
    }
    const cached = this.overviews.get(windowMs);
    if (cached) return cached.json;
    const json = this.overview(windowMs, now).then((view) => JSON.stringify(view));
    const entry = { at: now, json };
    this.overviews.set(windowMs, entry);
    // A failure is answered to those who asked for it, not kept for the next ones.
    json.catch(() => this.overviews.get(windowMs) === entry && this.overviews.delete(windowMs));
    return json;
  }

  private async overview(windowMs: number, now: number): Promise<Omit<OverviewView, 'jobs'>> {
    const tasks = this.registry.getTasks();
    return {
      generatedAt: new Date(now),
      status: this.registry.status(),
      tasks: tasks.map(toTaskView),
      timeline: await this.timeline.view(tasks, now - windowMs, now),
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
    this.overviews.clear();
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
   * The live stream: a `hello`, then a `tasks` message at most every BATCH_MS summing up the
   * scheduler events since the last one (LiveTaskBatch), a `jobs` nudge when
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
      this.batches$,
      this.jobChanges.pipe(
        throttleTime(JOB_NUDGE_MS, asyncScheduler, { leading: true, trailing: true }),
        map(() => ({ type: 'jobs', data: {} })),
      ),
      interval(HEARTBEAT_MS).pipe(map(() => ({ type: 'ping', data: {} }))),
    ).pipe(takeUntil(end$));
    return concat(of({ type: 'hello', data: {} }), live$, of({ type: 'bye', data: {} }));
  }
}
