import { describe, expect, it } from '@jest/globals';
import { backoffDelay, resolvePolicies } from '../../lib/runner/task-policies.js';

describe('retry backoff', () => {
  it('doubles an exponential delay up to maxDelay', () => {
    const { retry } = resolvePolicies('t', {
      retry: { attempts: 5, backoff: { type: 'exponential', delay: 1_000, maxDelay: 5_000 } },
    });
    expect([1, 2, 3, 4].map((n) => backoffDelay(retry, n))).toEqual([1_000, 2_000, 4_000, 5_000]);
  });

  it('never asks for a wait longer than one timer can hold, which Node would cut to 1 ms', () => {
    const { retry } = resolvePolicies('t', {
      retry: { attempts: 60, backoff: { type: 'exponential', delay: 1_000 } },
    });
    expect(backoffDelay(retry, 40)).toBe(2 ** 31 - 1);
  });

  it('refuses a backoff delay no timer can hold, naming the field', () => {
    expect(() =>
      resolvePolicies('Task "t"', {
        retry: { attempts: 2, backoff: { type: 'fixed', delay: 2 ** 31 } },
      }),
    ).toThrow('Task "t": invalid option retry.backoff.delay: must be at most 2147483647 ms');
  });
});
