import { fileURLToPath } from 'node:url';
import {
  ExecutorUnavailableError,
  JobArgumentsError,
  WorkerCrashedError,
} from '../background.errors.js';
import type { Job, ResolvedWorkerWork } from '../job.js';
import type { SlotLimits } from '../slot-pool.js';
import type { JobExecutor, SettleJob } from './executor.interface.js';
import { reviveError, WORKER_ENTRY, type WorkerReply } from './worker-reply.js';

/** The part of piscina and tinypool the executors use. */
export interface WorkerPool {
  run(task: ResolvedWorkerWork, options: { signal: PoolAbortLink }): Promise<WorkerReply>;
  destroy(): Promise<void>;
}

/** The pool options piscina and tinypool share, the same for threads and processes. */
export interface PoolSettings {
  filename: string;
  minThreads: number;
  maxThreads: number;
  idleTimeout: number;
}

/**
 * The abort-signal shape piscina and tinypool accept (`aborted`, `addEventListener`). A real
 * AbortController costs more than the rest of the per-job bookkeeping, and the pools only need this.
 */
export class PoolAbortLink {
  aborted = false;
  reason: unknown = undefined;
  private listener: (() => void) | undefined = undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listener = listener;
  }

  removeEventListener(): void {
    this.listener = undefined;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.listener?.();
  }
}

/**
 * Runs `{ module, fn, args }` jobs on a pool library that is imported on first use, since piscina
 * and tinypool are optional peer dependencies.
 */
export abstract class PooledExecutor implements JobExecutor {
  private pool: WorkerPool | undefined;
  private loading: Promise<WorkerPool> | undefined;

  protected abstract readonly kind: 'thread' | 'process';
  protected abstract readonly packageName: string;

  constructor(private readonly limits: SlotLimits) {}

  /** Imports the pool library and returns how to build its pool; rejects when it is not installed. */
  protected abstract importPool(): Promise<(settings: PoolSettings) => WorkerPool>;

  run(job: Job, settle: SettleJob): void {
    const pool = this.pool;
    if (pool === undefined) {
      this.load().then(
        () => this.run(job, settle),
        (error: unknown) => settle(job, 'failed', error),
      );
      return;
    }
    // Cancelled while the pool library was loading: the supervisor has already settled it.
    if (job.status !== 'started') return;
    const signal = new PoolAbortLink();
    job.abortTarget = signal;
    // Both libraries terminate the worker when the signal aborts mid-run and start a fresh one.
    // That rejection arrives after the job was already cancelled or timed out, so it is ignored;
    // any other rejection means the worker died under the job.
    pool.run(job.work as ResolvedWorkerWork, { signal }).then(
      (reply) => {
        if (reply.ok) settle(job, 'succeeded', reply.value);
        else settle(job, 'failed', reviveError(reply.error));
      },
      (error: unknown) => settle(job, 'failed', this.describeRejection(job, error)),
    );
  }

  // Arguments that cannot be cloned fail in this thread, before any worker sees them.
  private describeRejection(job: Job, error: unknown): Error {
    if ((error as Error | null)?.name === 'DataCloneError') {
      return new JobArgumentsError(job.name, job.id, error);
    }
    return new WorkerCrashedError(job.name, job.id, this.kind, error);
  }

  async destroy(): Promise<void> {
    if (this.loading === undefined) return;
    const pool = await this.loading.catch(() => undefined);
    await pool?.destroy();
  }

  private load(): Promise<WorkerPool> {
    this.loading ??= this.importPool().then(
      (create) => (this.pool = create(this.settings())),
      (error: unknown) => {
        throw new ExecutorUnavailableError(this.kind, this.packageName, error);
      },
    );
    return this.loading;
  }

  private settings(): PoolSettings {
    const { poolSize } = this.limits;
    return {
      filename: fileURLToPath(WORKER_ENTRY),
      minThreads: poolSize,
      // Workers beyond poolSize serve only critical jobs, which ignore the slot limits.
      maxThreads: poolSize * 2,
      idleTimeout: 10_000,
    };
  }
}
