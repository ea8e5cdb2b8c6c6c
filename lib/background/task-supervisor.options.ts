import { availableParallelism } from 'node:os';
import { optionError } from '../errors.js';
import { checkInteger, checkKnownKeys, checkNumber, checkObject } from '../utils/validation.js';
import { backgroundMessages } from './background.errors.js';
import { EXECUTOR_KINDS, type ExecutorKind } from './job.interface.js';
import type { SchedulerLogger } from '../runner/scheduler-logger.js';
import type { JobLimits } from './limiter.js';
import type { SlotLimits } from './slot-pool.js';

/** Slots of one executor; see `SlotLimits` for what the reserves mean. */
export interface PoolOptions {
  /** Jobs that may run at once (critical jobs aside). Inline: 64; thread and process: CPU count. */
  poolSize?: number;
  /** Slots low work may not take. Defaults to an eighth of the pool (at least 1 when poolSize > 1). */
  reserveNormal?: number;
  /** Slots only high and critical work may take. Defaults to 0. */
  reserveHigh?: number;
}

/** How long finished jobs stay findable with `get(id)`. */
export interface RetentionOptions {
  /** Milliseconds after finishing; default 60 000. */
  ms?: number;
  /** Most recent finished jobs kept; default 1 000; 0 keeps none. */
  max?: number;
}

/** Options of a `TaskSupervisor`. */
export interface TaskSupervisorOptions {
  pools?: Partial<Record<ExecutorKind, PoolOptions>>;
  retention?: RetentionOptions;
  /** Limits per job name, checked at submit. */
  limits?: Readonly<Record<string, JobLimits>>;
  /** Where shutdown says what it waits for and what it cancels; silent by default. */
  logger?: SchedulerLogger;
}

/** Options of `shutdown`. */
export interface ShutdownOptions {
  /** Milliseconds running jobs get to finish before they are cancelled; default 10 000. */
  timeout?: number;
  /** Instead of `timeout`: the epoch ms (as from Date.now()) at which running jobs are cancelled. */
  deadline?: number;
  /** Let queued and delayed jobs run during the grace period instead of cancelling them at once. */
  drainQueue?: boolean;
}

/** Counts per executor, for dashboards and tests. */
export interface SupervisorStats {
  live: number;
  executors: Record<ExecutorKind, { running: number; queued: number; delayed: number }>;
}

/** Options with every default filled in and every value checked. */
export interface ResolvedSupervisorOptions {
  pools: Record<ExecutorKind, SlotLimits>;
  retention: Required<RetentionOptions>;
  limits: Readonly<Record<string, JobLimits>>;
}

const fail = optionError('TaskSupervisor');
const DEFAULT_INLINE_POOL = 64;

/** Fills in defaults and rejects values the supervisor cannot honour, naming the field. */
export function resolveSupervisorOptions(
  options: TaskSupervisorOptions = {},
): ResolvedSupervisorOptions {
  checkKnownKeys(fail, '', options, ['pools', 'retention', 'limits', 'logger']);
  const pools = options.pools ?? {};
  checkKnownKeys(fail, 'pools', pools, EXECUTOR_KINDS);
  const limits = options.limits ?? {};
  checkObject(fail, 'limits', limits);
  const cpus = availableParallelism();
  return {
    pools: {
      inline: resolvePool('inline', pools.inline, DEFAULT_INLINE_POOL),
      thread: resolvePool('thread', pools.thread, cpus),
      process: resolvePool('process', pools.process, cpus),
    },
    retention: resolveRetention(options.retention ?? {}),
    limits,
  };
}

function resolvePool(
  kind: ExecutorKind,
  options: PoolOptions = {},
  defaultSize: number,
): SlotLimits {
  const at = `pools.${kind}`;
  checkKnownKeys(fail, at, options, ['poolSize', 'reserveNormal', 'reserveHigh']);
  const poolSize = checkInteger(fail, `${at}.poolSize`, options.poolSize ?? defaultSize, {
    min: 1,
  });
  const reserveHigh = checkInteger(fail, `${at}.reserveHigh`, options.reserveHigh ?? 0, { min: 0 });
  const reserveNormal = checkInteger(
    fail,
    `${at}.reserveNormal`,
    options.reserveNormal ??
      Math.max(0, Math.min(Math.ceil(poolSize / 8), poolSize - 1 - reserveHigh)),
    { min: 0 },
  );
  if (reserveNormal + reserveHigh >= poolSize) {
    throw fail(
      `${at}.reserveNormal`,
      backgroundMessages.reservesTooLarge(reserveNormal, reserveHigh, poolSize),
    );
  }
  return { poolSize, reserveNormal, reserveHigh };
}

function resolveRetention(options: RetentionOptions): Required<RetentionOptions> {
  checkKnownKeys(fail, 'retention', options, ['ms', 'max']);
  return {
    ms: checkNumber(fail, 'retention.ms', options.ms ?? 60_000, { min: 0, orInfinity: true }),
    max: checkInteger(fail, 'retention.max', options.max ?? 1_000, { min: 0, orInfinity: true }),
  };
}
