import type { Observable } from 'rxjs';
import { guardLogger, silentLogger, type SchedulerLogger } from '../runner/scheduler-logger.js';
import { WaitList } from '../utils/wait-list.js';
import {
  backgroundMessages,
  JobCancelledError,
  JobTimeoutError,
  SupervisorClosedError,
} from './background.errors.js';
import { BackgroundEventBus, type BackgroundEvent } from './background.events.js';
import type { JobExecutor, SettleJob } from './executors/executor.interface.js';
import { InlineExecutor } from './executors/inline.executor.js';
import { ProcessExecutor } from './executors/process.executor.js';
import { ThreadExecutor } from './executors/thread.executor.js';
import {
  EXECUTOR_KINDS,
  type ExecutorKind,
  type InlineSubmitOptions,
  type InlineWork,
  type JobHandle,
  type JobStatus,
  type SubmitOptions,
  type WorkerSubmitOptions,
  type WorkerWork,
} from './job.interface.js';
import { JobRetention } from './job-retention.js';
import { clock, isTerminal, Job, jobSeq, type JobOwner } from './job.js';
import { Limiter } from './limiter.js';
import { waitAll, type JobResults, type WaitAllOptions } from './wait-all.js';
import { shutdownGraceMs } from './shutdown-grace.js';
import { SlotPool } from './slot-pool.js';
import {
  defaultJobName,
  resolveExecutor,
  resolveWorkerWork,
  validateSubmitOptions,
} from './submit-options.js';
import {
  resolveSupervisorOptions,
  type PoolOptions,
  type ShutdownOptions,
  type SupervisorStats,
  type TaskSupervisorOptions,
} from './task-supervisor.options.js';

/**
 * Runs background jobs on the event loop, worker threads or child processes, with atasker's
 * priorities and reserved slots and amltk's events and limits. Usable without Nest.
 */
export class TaskSupervisor {
  private readonly bus = new BackgroundEventBus();
  /** Every job and supervisor event; emitting costs nothing while nobody subscribes. */
  readonly events$: Observable<BackgroundEvent> = this.bus.events$;
  private readonly lanes: Record<ExecutorKind, SlotPool>;
  private readonly executors: Record<ExecutorKind, JobExecutor>;
  /** Each pool's resolved slot limits, as dashboards and metrics show them. */
  readonly poolLimits: Readonly<Record<ExecutorKind, Readonly<Required<PoolOptions>>>>;
  private readonly live = new Map<number, Job>();
  private readonly retention: JobRetention;
  private readonly limiter: Limiter;
  private readonly owner: JobOwner = { cancel: (job, reason) => this.cancelJob(job, reason) };
  private readonly idleWaiters = new WaitList();
  private readonly logger: SchedulerLogger;
  private seq = 0;
  private started = false;
  private halted = false;
  private closing: Promise<void> | undefined;

  constructor(options?: TaskSupervisorOptions) {
    const resolved = resolveSupervisorOptions(options);
    this.poolLimits = resolved.pools;
    this.lanes = {
      inline: new SlotPool(resolved.pools.inline),
      thread: new SlotPool(resolved.pools.thread),
      process: new SlotPool(resolved.pools.process),
    };
    this.executors = {
      inline: new InlineExecutor(),
      thread: new ThreadExecutor(resolved.pools.thread),
      process: new ProcessExecutor(resolved.pools.process),
    };
    this.retention = new JobRetention(resolved.retention.ms, resolved.retention.max);
    this.limiter = new Limiter(resolved.limits);
    // A logger that throws must not leave shutdown half done.
    this.logger = guardLogger(options?.logger ?? silentLogger);
  }

  /** Accepts a job and returns its handle at once; throws if the options are invalid, a limit refuses it, or shutdown began. */
  submit<T>(work: InlineWork<T>, options?: InlineSubmitOptions): JobHandle<T>;
  submit<T = unknown>(work: WorkerWork, options?: WorkerSubmitOptions): JobHandle<T>;
  submit<T>(work: InlineWork<T> | WorkerWork, options?: SubmitOptions): JobHandle<T> {
    const executor = resolveExecutor(work, options?.executor);
    if (options !== undefined) validateSubmitOptions(options);
    const name = options?.name ?? defaultJobName(work);
    if (this.closing !== undefined) throw new SupervisorClosedError(name);
    // Checked before the limiter counts the job: a refused submission must not hold a slot.
    const resolved = typeof work === 'function' ? work : resolveWorkerWork(work);
    if (this.limiter.enabled) this.admit(name);
    const now = clock();
    const job = new Job(
      ++this.seq,
      name,
      options?.priority ?? 'normal',
      executor,
      resolved,
      options?.timeout ?? 0,
      now,
      this.owner,
    );
    const delay = options?.delay ?? 0;
    if (delay > 0) job.status = 'delayed';
    this.live.set(job.seq, job);
    if (!this.started) this.begin();
    if (this.bus.active) {
      this.bus.emit({ type: 'submitted', job });
      // A listener may have cancelled it already: it must neither run nor finish twice.
      if (isTerminal(job.status)) return job as JobHandle<T>;
    }
    const signal = options?.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.cancelJob(job, signal.reason);
        return job as JobHandle<T>;
      }
      job.follow(signal);
    }
    if (delay > 0) job.timer = setTimeout(this.onDelayElapsed, delay, job);
    else this.enqueue(job, now);
    return job as JobHandle<T>;
  }

  /** Finds a job while it is live, and for the retention period after it finished. */
  get(id: string): JobHandle | undefined {
    const seq = jobSeq(id);
    if (seq === undefined) return undefined;
    return this.live.get(seq) ?? this.retention.get(seq, clock());
  }

  /** Resolves with the results in the order of `handles`; see `waitAll` for failures and the deadline. */
  waitAll<const T extends readonly JobHandle[]>(
    handles: T,
    options?: WaitAllOptions,
  ): Promise<JobResults<T>> {
    return waitAll(handles, options);
  }

  /** Resolves once nothing is queued, delayed or running. */
  whenIdle(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return this.idleWaiters.wait();
  }

  /** Running, queued and delayed jobs per executor; walks the live jobs, so not for hot paths. */
  stats(): SupervisorStats {
    const executors = {} as SupervisorStats['executors'];
    for (const kind of EXECUTOR_KINDS) executors[kind] = { running: 0, queued: 0, delayed: 0 };
    for (const job of this.live.values()) {
      const counts = executors[job.executor];
      if (job.status === 'started') counts.running++;
      else if (job.status === 'queued') counts.queued++;
      else counts.delayed++;
    }
    return { live: this.live.size, executors };
  }

  /**
   * Stops admission, cancels queued and delayed jobs (unless `drainQueue`), gives running jobs
   * `timeout` ms or until `deadline`, cancels what is left and terminates the worker pools,
   * logging what it waits for and what it cancels. Safe to call twice.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const graceMs = shutdownGraceMs(options, Date.now());
    this.closing ??= this.close(graceMs, options.drainQueue ?? false);
    return this.closing;
  }

  private async close(graceMs: number, drainQueue: boolean): Promise<void> {
    const { live } = this;
    if (!drainQueue) {
      this.cancelWhere((job) => job.status !== 'started', backgroundMessages.shutdown);
    }
    if (live.size > 0) {
      this.logger.log(backgroundMessages.shutdownWaiting(graceMs, live.values(), live.size));
      await this.idleWithin(graceMs);
    }
    this.halted = true;
    if (live.size > 0) {
      this.logger.warn(backgroundMessages.shutdownCancelling(graceMs, live.values(), live.size));
      this.cancelWhere(() => true, backgroundMessages.shutdownTimeout(graceMs));
    }
    for (const lane of Object.values(this.lanes)) lane.clear();
    await Promise.all(Object.values(this.executors).map((executor) => executor.destroy()));
    if (this.bus.active) this.bus.emit({ type: 'stop' });
    this.bus.complete();
  }

  /** Completes `events$` (so streams built on it, such as an SSE response, end); true if any had. */
  completeEvents(): boolean {
    const observed = this.bus.active;
    this.bus.complete();
    return observed;
  }

  private idleWithin(timeout: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeout);
      void this.whenIdle().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private cancelWhere(predicate: (job: Job) => boolean, reason: string): void {
    for (const job of [...this.live.values()]) if (predicate(job)) this.cancelJob(job, reason);
  }

  private admit(name: string): void {
    const refusal = this.limiter.admit(name);
    if (refusal === undefined) return;
    if (this.bus.active) {
      this.bus.emit({ type: 'limited', name, limit: refusal.limit, error: refusal });
    }
    throw refusal;
  }

  private begin(): void {
    this.started = true;
    if (this.bus.active) this.bus.emit({ type: 'start' });
  }

  private readonly onDelayElapsed = (job: Job): void => {
    job.timer = undefined;
    if (job.status === 'delayed') this.enqueue(job, clock());
  };

  private readonly onTimeoutElapsed = (job: Job): void => {
    job.timer = undefined;
    if (job.status !== 'started') return;
    const error = new JobTimeoutError(job.name, job.id, job.timeoutMs);
    job.abort(error);
    this.finish(job, 'timedOut', error);
  };

  // `now` is passed down rather than read again: one clock read serves a whole admission round.
  private enqueue(job: Job, now: number): void {
    job.status = 'queued';
    const lane = this.lanes[job.executor];
    if (job.priority === 'critical') {
      this.start(job, lane, now);
      return;
    }
    lane.push(job, job.priority);
    this.pump(lane, now);
  }

  private pump(lane: SlotPool, now: number): void {
    if (lane.pumping || this.halted) return;
    lane.pumping = true;
    try {
      for (let job = lane.take(); job !== undefined; job = lane.take()) this.start(job, lane, now);
    } finally {
      lane.pumping = false;
    }
  }

  private start(job: Job, lane: SlotPool, now: number): void {
    lane.running++;
    job.status = 'started';
    job.startedAt = now;
    if (job.timeoutMs > 0) job.timer = setTimeout(this.onTimeoutElapsed, job.timeoutMs, job);
    if (this.bus.active) {
      this.bus.emit({ type: 'started', job });
      if (job.status !== 'started') return; // a subscriber cancelled it
    }
    this.executors[job.executor].run(job, this.settle);
  }

  /** An executor's outcome; ignored when the job was cancelled or timed out meanwhile. */
  private readonly settle: SettleJob = (job, status, outcome) => {
    if (job.status === 'started') this.finish(job, status, outcome);
  };

  private cancelJob(job: Job, reason: unknown): boolean {
    if (isTerminal(job.status)) return false;
    const error = new JobCancelledError(job.name, job.id, reason);
    if (job.status === 'started') job.abort(error);
    this.finish(job, 'cancelled', error);
    return true;
  }

  // Frees a running job's slot at once, even when cancelled inline work ignores its signal:
  // a job that never settles must not hold a slot forever (p-queue's timeout does the same).
  private finish(job: Job, status: JobStatus, outcome: unknown): void {
    const previous = job.status;
    const lane = this.lanes[job.executor];
    const now = clock();
    job.settle(status, outcome, now);
    this.live.delete(job.seq);
    if (previous === 'queued' && job.priority !== 'critical') lane.remove(job, job.priority);
    this.retention.add(job);
    if (this.limiter.enabled) this.limiter.release(job.name);
    if (this.bus.active) this.bus.emitOutcome(job, status, outcome);
    if (previous === 'started') {
      lane.running--;
      this.pump(lane, now);
    }
    if (this.live.size === 0) this.becameIdle();
  }

  private becameIdle(): void {
    if (this.bus.active) this.bus.emit({ type: 'idle' });
    this.idleWaiters.release();
  }
}
