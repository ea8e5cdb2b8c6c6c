import { describeValue } from '../utils/describe-value.js';

/** Every message of the Prometheus integration, so that tests assert on the factories. */
export const prometheusMessages = {
  badPrefix: (got: unknown) =>
    `must be a Prometheus metric name prefix such as 'aioclock_' (letters, digits, _ and :, not starting with a digit), got ${describeValue(got)}`,
  badBuckets: (got: unknown) =>
    `must be a non-empty array of increasing finite numbers (seconds), got ${describeValue(got)}`,
} as const;
