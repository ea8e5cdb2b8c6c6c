import type { Registry } from 'prom-client';
import { optionError } from '../errors.js';
import { checkKnownKeys, checkMethods, checkString } from '../utils/validation.js';
import { prometheusMessages } from './prometheus.messages.js';

/** Histogram buckets (seconds) of `AioClockMetricsModule`; each has a default. */
export interface MetricBuckets {
  /** `run_duration_seconds`; default 5 ms to 5 min. */
  runDuration?: number[];
  /** `fire_lateness_seconds`; default 1 ms to 1 min. */
  fireLateness?: number[];
  /** `job_wait_seconds` (submission to start, a job's delay included); default 1 ms to 5 min. */
  jobWait?: number[];
  /** `job_duration_seconds`; default 5 ms to 5 min. */
  jobDuration?: number[];
}

/** Options of `AioClockMetricsModule.forRoot`. */
export interface AioClockMetricsOptions {
  /** Where the metrics are registered; default prom-client's global `register`. */
  registry?: Registry;
  /** Starts every metric name; default 'aioclock_'. */
  prefix?: string;
  /** Histogram buckets in seconds. */
  buckets?: MetricBuckets;
}

/** Default histogram buckets, in seconds. */
export const DEFAULT_BUCKETS: Required<MetricBuckets> = {
  runDuration: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  fireLateness: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 15, 60],
  jobWait: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  jobDuration: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
};

const fail = optionError('AioClockMetricsModule');
const OPTION_KEYS = Object.keys({
  registry: true,
  prefix: true,
  buckets: true,
} satisfies Record<keyof AioClockMetricsOptions, true>);
const BUCKET_KEYS = Object.keys(DEFAULT_BUCKETS);
const REGISTRY_METHODS = ['registerMetric', 'removeSingleMetric', 'metrics'] as const;
const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Checks the options at bootstrap, naming the offending field. */
export function validateMetricsOptions(options: AioClockMetricsOptions): void {
  checkKnownKeys(fail, '', options, OPTION_KEYS);
  if (options.registry !== undefined) {
    checkMethods(fail, 'registry', options.registry, REGISTRY_METHODS);
  }
  if (options.prefix !== undefined) {
    checkString(fail, 'prefix', options.prefix);
    if (!PREFIX.test(options.prefix)) {
      throw fail('prefix', prometheusMessages.badPrefix(options.prefix));
    }
  }
  if (options.buckets !== undefined) {
    checkKnownKeys(fail, 'buckets', options.buckets, BUCKET_KEYS);
    for (const [key, value] of Object.entries(options.buckets)) {
      if (value !== undefined && !isBuckets(value)) {
        throw fail(`buckets.${key}`, prometheusMessages.badBuckets(value));
      }
    }
  }
}

function isBuckets(value: unknown): value is number[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (bound, index) =>
        typeof bound === 'number' &&
        Number.isFinite(bound) &&
        (index === 0 || bound > (value[index - 1] as number)),
    )
  );
}
