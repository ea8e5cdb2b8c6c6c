import { optionError } from '../errors.js';
import { MAX_TIMER_DELAY_MS } from '../utils/abortable-sleep.js';
import {
  checkInteger,
  checkKnownKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  checkTimerDelay,
  isOptionsObject,
  type ErrorFactory,
} from '../utils/validation.js';

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

// The key lists are built from records, so that the compiler flags a key added to an interface
// but not listed here.
/** The keys of one layer of policies (`@Task` options also take `name`). */
export const POLICY_KEYS = Object.keys({
  timeout: true,
  overlap: true,
  retry: true,
  misfire: true,
  catchUpWindow: true,
  jitter: true,
} satisfies Record<keyof TaskPolicies, true>) as readonly (keyof TaskPolicies)[];
const RETRY_KEYS = Object.keys({
  attempts: true,
  backoff: true,
  jitter: true,
} satisfies Record<keyof RetryPolicy, true>);
const BACKOFF_KEYS = Object.keys({
  type: true,
  delay: true,
  maxDelay: true,
} satisfies Record<keyof NonNullable<RetryPolicy['backoff']>, true>);

const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'queue', 'allow'];
const MISFIRE_POLICIES: readonly MisfirePolicy[] = ['runOnce', 'skip'];
const BACKOFF_TYPES = ['fixed', 'exponential'] as const;

/**
 * Rejects unknown keys in one layer of policies, in `retry` and `retry.backoff` too. `extraKeys`
 * are allowed beside the policies (`name` in `@Task` options); `field` is the layer's path.
 */
export function checkPolicyKeys(
  fail: ErrorFactory,
  field: string,
  layer: unknown,
  extraKeys: readonly string[] = [],
): void {
  checkKnownKeys(
    fail,
    field,
    layer,
    extraKeys.length ? [...extraKeys, ...POLICY_KEYS] : POLICY_KEYS,
  );
  const retry = (layer as TaskPolicies).retry;
  if (!isOptionsObject(retry)) return;
  const retryField = field ? `${field}.retry` : 'retry';
  checkKnownKeys(fail, retryField, retry, RETRY_KEYS);
  if (isOptionsObject(retry.backoff)) {
    checkKnownKeys(fail, `${retryField}.backoff`, retry.backoff, BACKOFF_KEYS);
  }
}

/** Checks one layer of policies, keys and values, naming fields below `field` (e.g. 'taskDefaults'). */
export function checkPolicies(fail: ErrorFactory, field: string, layer: unknown): void {
  checkPolicyKeys(fail, field, layer);
  resolveMerged(fail, field ? `${field}.` : '', layer as TaskPolicies);
}

/**
 * Merges policy layers (module defaults, then group, then task) and validates the result, so that a
 * bad value fails at bootstrap with the task's name and the field.
 */
export function resolvePolicies(
  owner: string,
  ...layers: (TaskPolicies | undefined)[]
): ResolvedPolicies {
  const fail = optionError(owner);
  const merged: TaskPolicies = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    checkPolicyKeys(fail, '', layer);
    for (const key of POLICY_KEYS) {
      if (layer[key] !== undefined) (merged as Record<string, unknown>)[key] = layer[key];
    }
  }
  return resolveMerged(fail, '', merged);
}

function resolveMerged(fail: ErrorFactory, at: string, merged: TaskPolicies): ResolvedPolicies {
  const { timeout, catchUpWindow, jitter } = merged;
  return {
    // A timeout under 1 ms would be one anyway: Node's timers count whole milliseconds.
    timeout: timeout === undefined ? null : checkTimerDelay(fail, `${at}timeout`, timeout, 1),
    overlap: checkOneOf(fail, `${at}overlap`, merged.overlap ?? 'skip', OVERLAP_POLICIES),
    retry: resolveRetry(fail, `${at}retry`, merged.retry),
    misfire: checkOneOf(fail, `${at}misfire`, merged.misfire ?? 'runOnce', MISFIRE_POLICIES),
    catchUpWindow:
      catchUpWindow === undefined
        ? null
        : checkNumber(fail, `${at}catchUpWindow`, catchUpWindow, { min: 0 }),
    jitter: jitter === undefined ? 0 : checkNumber(fail, `${at}jitter`, jitter, { min: 0 }),
  };
}

function resolveRetry(
  fail: ErrorFactory,
  at: string,
  retry: RetryPolicy | undefined,
): ResolvedPolicies['retry'] {
  if (retry === undefined) {
    return { attempts: 1, jitter: 0, backoff: { type: 'fixed', delay: 0, maxDelay: Infinity } };
  }
  checkObject(fail, at, retry);
  const backoff = retry.backoff ?? { type: 'fixed' as const, delay: 0 };
  checkObject(fail, `${at}.backoff`, backoff);
  return {
    attempts: checkInteger(fail, `${at}.attempts`, retry.attempts, { min: 1 }),
    jitter: retry.jitter === undefined ? 0 : checkTimerDelay(fail, `${at}.jitter`, retry.jitter),
    backoff: {
      type: checkOneOf(fail, `${at}.backoff.type`, backoff.type, BACKOFF_TYPES),
      delay: checkTimerDelay(fail, `${at}.backoff.delay`, backoff.delay),
      maxDelay:
        backoff.maxDelay === undefined
          ? Infinity
          : checkTimerDelay(fail, `${at}.backoff.maxDelay`, backoff.maxDelay),
    },
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
