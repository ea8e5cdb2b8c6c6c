import { OptionValidationError } from '../errors.js';
import { MAX_TIMER_DELAY_MS } from '../utils/abortable-sleep.js';
import { assertNonNegative, assertTimerDelay } from '../utils/option-assertions.js';

/** What to do when a fire time comes while the previous run is still going. */
export type OverlapPolicy = 'skip' | 'queue' | 'allow';
/** What to do with a fire time that was missed (event loop blocked, sleep, clock jump). */
export type MisfirePolicy = 'runOnce' | 'skip';

/** Retries of a failed or timed-out run. */
export interface RetryPolicy {
  /** Total tries, the first included (as BullMQ counts): 3 means one run and up to two retries. */
  attempts: number;
  backoff?: { type: 'fixed' | 'exponential'; delay: number; maxDelay?: number };
  /** Up to this many ms added at random to each backoff delay. */
  jitter?: number;
}

/** Per-task run policies; module options give defaults, a group's options and the task's win. */
export interface TaskPolicies {
  /** Per-run timeout in ms; the run's signal is aborted when it passes. */
  timeout?: number;
  overlap?: OverlapPolicy;
  retry?: RetryPolicy;
  misfire?: MisfirePolicy;
  /** A fire time missed by more than this many ms is skipped whatever `misfire` says. */
  catchUpWindow?: number;
  /** Up to this many ms added at random to each fire time, to spread load. */
  jitter?: number;
}

/** Policies after defaults are applied and values validated. */
export interface ResolvedPolicies {
  timeout: number | null;
  overlap: OverlapPolicy;
  retry: Required<Omit<RetryPolicy, 'backoff'>> & {
    backoff: Required<NonNullable<RetryPolicy['backoff']>>;
  };
  misfire: MisfirePolicy;
  catchUpWindow: number | null;
  jitter: number;
}

const POLICY_KEYS: readonly (keyof TaskPolicies)[] = [
  'timeout',
  'overlap',
  'retry',
  'misfire',
  'catchUpWindow',
  'jitter',
];

function fail(owner: string, field: string, reason: string): never {
  throw new OptionValidationError(owner, field, reason);
}

function choice<T extends string>(
  owner: string,
  field: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!choices.includes(value as T)) {
    fail(
      owner,
      field,
      `must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function resolveRetry(owner: string, retry: RetryPolicy | undefined): ResolvedPolicies['retry'] {
  if (retry === undefined) {
    return { attempts: 1, jitter: 0, backoff: { type: 'fixed', delay: 0, maxDelay: Infinity } };
  }
  if (typeof retry !== 'object' || retry === null) fail(owner, 'retry', 'must be an object');
  const attempts = retry.attempts;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1) {
    fail(owner, 'retry.attempts', `must be an integer >= 1, got ${String(attempts)}`);
  }
  const backoff = retry.backoff ?? { type: 'fixed' as const, delay: 0 };
  return {
    attempts,
    jitter: retry.jitter === undefined ? 0 : assertTimerDelay(owner, 'retry.jitter', retry.jitter),
    backoff: {
      type: choice(owner, 'retry.backoff.type', backoff.type, ['fixed', 'exponential']),
      delay: assertTimerDelay(owner, 'retry.backoff.delay', backoff.delay),
      maxDelay:
        backoff.maxDelay === undefined
          ? Infinity
          : assertTimerDelay(owner, 'retry.backoff.maxDelay', backoff.maxDelay),
    },
  };
}

/**
 * Merges policy layers (module defaults, then group, then task) and validates the result, so that a
 * bad value fails at bootstrap with the task's name and the field.
 */
export function resolvePolicies(
  owner: string,
  ...layers: (TaskPolicies | undefined)[]
): ResolvedPolicies {
  const merged: TaskPolicies = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of POLICY_KEYS) {
      if (layer[key] !== undefined) (merged as Record<string, unknown>)[key] = layer[key];
    }
  }
  if (merged.timeout !== undefined && !(assertTimerDelay(owner, 'timeout', merged.timeout) > 0)) {
    fail(owner, 'timeout', 'must be greater than 0 ms');
  }
  return {
    timeout: merged.timeout ?? null,
    overlap: choice(owner, 'overlap', merged.overlap ?? 'skip', ['skip', 'queue', 'allow']),
    retry: resolveRetry(owner, merged.retry),
    misfire: choice(owner, 'misfire', merged.misfire ?? 'runOnce', ['runOnce', 'skip']),
    catchUpWindow:
      merged.catchUpWindow === undefined
        ? null
        : assertNonNegative(owner, 'catchUpWindow', merged.catchUpWindow),
    jitter: merged.jitter === undefined ? 0 : assertNonNegative(owner, 'jitter', merged.jitter),
  };
}

/** The wait before retry number `retryNumber` (1 = first retry). */
export function backoffDelay(
  retry: ResolvedPolicies['retry'],
  retryNumber: number,
  random = Math.random,
): number {
  const { type, delay, maxDelay } = retry.backoff;
  const base = type === 'exponential' ? delay * 2 ** (retryNumber - 1) : delay;
  const wait =
    Math.min(base, maxDelay) + (retry.jitter > 0 ? Math.floor(random() * retry.jitter) : 0);
  // An exponential backoff outgrows a timer after enough retries; it waits the longest one can.
  return Math.min(wait, MAX_TIMER_DELAY_MS);
}
