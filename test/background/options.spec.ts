import { describe, expect, it } from '@jest/globals';
import { TaskSupervisor, type SubmitOptions } from '../../lib/background/index.js';
import { OptionValidationError } from '../../lib/errors.js';

describe('option validation', () => {
  it.each([
    [
      { pools: { inline: { poolSize: 0 } } },
      'pools.inline.poolSize',
      'must be an integer >= 1, got 0',
    ],
    [
      { pools: { thread: { poolSize: 1.5 } } },
      'pools.thread.poolSize',
      'must be an integer >= 1, got 1.5',
    ],
    [
      { pools: { process: { poolSize: 2, reserveNormal: 1, reserveHigh: 1 } } },
      'pools.process.reserveNormal',
      'reserveNormal + reserveHigh (1 + 1) must be less than poolSize (2) so that low-priority work keeps a slot',
    ],
    [
      { pools: { gpu: {} } },
      'pools.gpu',
      'unknown option; expected one of inline, thread, process',
    ],
    [{ retention: { ms: -1 } }, 'retention.ms', 'must be a number >= 0, got -1'],
    [
      { concurrency: 3 },
      'concurrency',
      'unknown option; expected one of pools, retention, limits, logger',
    ],
  ])('rejects supervisor options %j naming %s', (options, field, reason) => {
    expect(() => new TaskSupervisor(options as never)).toThrow(
      new OptionValidationError('TaskSupervisor', field, reason),
    );
  });

  it('fits the default reserveNormal around an explicit reserveHigh', () => {
    // poolSize 2 with reserveHigh 1 leaves no room for the default reserveNormal of 1: it shrinks to 0.
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 2, reserveHigh: 1 } } });
    const hold = () => new Promise<void>(() => {});
    const low = supervisor.submit(hold, { priority: 'low' });
    const normal = supervisor.submit(hold, { priority: 'normal' });
    const high = supervisor.submit(hold, { priority: 'high' });
    expect([low.status, normal.status, high.status]).toEqual(['started', 'queued', 'started']);
    void supervisor.shutdown({ timeout: 0 });
  });

  const supervisor = new TaskSupervisor();
  const work = async () => 1;

  it.each<[SubmitOptions, string, string]>([
    [
      { priority: 'urgent' as never },
      'priority',
      "must be one of 'critical', 'high', 'normal', 'low', got 'urgent'",
    ],
    [{ timeout: 0 }, 'timeout', 'must be a finite number of milliseconds >= 1, got 0'],
    [{ delay: -5 }, 'delay', 'must be a finite number of milliseconds >= 0, got -5'],
    [
      { delay: 2 ** 31 },
      'delay',
      'must be at most 2147483647 ms (about 24.8 days), got 2147483648',
    ],
    [{ name: '' }, 'name', "must be a non-empty string, got ''"],
    [
      { executor: 'gpu' as never },
      'executor',
      "must be one of 'inline', 'thread', 'process', got 'gpu'",
    ],
    [{ signal: {} as AbortSignal }, 'signal', 'must be an AbortSignal'],
    [
      { timeOut: 5 } as SubmitOptions,
      'timeOut',
      'unknown option; expected one of priority, executor, timeout, delay, signal, name',
    ],
    [
      { executor: 'thread' },
      'executor',
      "'thread' work must be a { module, fn, args } description, not a function",
    ],
  ])('rejects submit options %j naming %s', (options, field, reason) => {
    expect(() => supervisor.submit(work, options as never)).toThrow(
      new OptionValidationError('TaskSupervisor.submit', field, reason),
    );
  });

  it.each([
    [
      { module: 'x.mjs', fn: 'f' },
      { executor: 'inline' },
      'executor',
      "'inline' work must be a function, not a { module, fn, args } description",
    ],
    [
      { module: 'x.mjs', fn: '' },
      {},
      'work.fn',
      "must be the name of an exported function, got ''",
    ],
    [{ module: 42, fn: 'f' }, {}, 'work.module', 'must be a file path or a file URL, got 42'],
    [
      { module: 'x.mjs', fn: 'f', args: 'a' },
      {},
      'work.args',
      'must be an array of cloneable values',
    ],
    [null, {}, 'work', 'must be an async function or a { module, fn, args } description'],
  ])('rejects worker work %j naming the field', (work, options, field, reason) => {
    expect(() => supervisor.submit(work as never, options as never)).toThrow(
      new OptionValidationError('TaskSupervisor.submit', field, reason),
    );
  });

  it('validates waitAll and shutdown timeouts', () => {
    expect(() => supervisor.waitAll([], { timeout: -1 })).toThrow(
      /waitAll: invalid option timeout/,
    );
    expect(() => supervisor.shutdown({ timeout: Number.NaN })).toThrow(
      /shutdown: invalid option timeout/,
    );
  });
});
