import { describe, expect, it } from '@jest/globals';
import { TaskSupervisor, type SubmitOptions } from '../../lib/background/index.js';
import { backgroundMessages } from '../../lib/background/background.errors.js';
import { OptionValidationError, validationMessages as reasons } from '../../lib/errors.js';

describe('option validation', () => {
  it.each([
    [
      { pools: { inline: { poolSize: 0 } } },
      'pools.inline.poolSize',
      reasons.notInteger({ min: 1 }, 0),
    ],
    [
      { pools: { thread: { poolSize: 1.5 } } },
      'pools.thread.poolSize',
      reasons.notInteger({ min: 1 }, 1.5),
    ],
    [
      { pools: { process: { poolSize: 2, reserveNormal: 1, reserveHigh: 1 } } },
      'pools.process.reserveNormal',
      backgroundMessages.reservesTooLarge(1, 1, 2),
    ],
    [{ pools: { gpu: {} } }, 'pools.gpu', reasons.unknownKey(['inline', 'thread', 'process'])],
    [
      { retention: { ms: -1 } },
      'retention.ms',
      reasons.notNumber({ min: 0, orInfinity: true }, -1),
    ],
    [
      { concurrency: 3 },
      'concurrency',
      reasons.unknownKey(['pools', 'retention', 'limits', 'logger']),
    ],
    [{ limits: 'sync' }, 'limits', reasons.notObject('sync')],
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
      reasons.notOneOf(['critical', 'high', 'normal', 'low'], 'urgent'),
    ],
    [{ timeout: 0 }, 'timeout', reasons.notNumber({ min: 1 }, 0)],
    [{ delay: -5 }, 'delay', reasons.notNumber({ min: 0 }, -5)],
    [{ delay: 2 ** 31 }, 'delay', reasons.tooLongForTimer(2 ** 31)],
    [{ name: '' }, 'name', reasons.notNonEmptyString('')],
    [
      { executor: 'gpu' as never },
      'executor',
      reasons.notOneOf(['inline', 'thread', 'process'], 'gpu'),
    ],
    [{ signal: {} as AbortSignal }, 'signal', reasons.notInstance('AbortSignal', {})],
    [
      { timeOut: 5 } as SubmitOptions,
      'timeOut',
      reasons.unknownKey(['priority', 'executor', 'timeout', 'delay', 'signal', 'name']),
    ],
    [{ executor: 'thread' }, 'executor', backgroundMessages.executorNeedsDescription('thread')],
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
      backgroundMessages.inlineNeedsFunction,
    ],
    [{ module: 'x.mjs', fn: '' }, {}, 'work.fn', backgroundMessages.notExportName('')],
    [{ module: 42, fn: 'f' }, {}, 'work.module', backgroundMessages.notModule(42)],
    [{ module: 'x.mjs', fn: 'f', args: 'a' }, {}, 'work.args', backgroundMessages.notArgs('a')],
    [null, {}, 'work', backgroundMessages.notWork(null)],
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

  it('refuses unknown waitAll and shutdown options and a drainQueue that is not a boolean', () => {
    expect(() => supervisor.waitAll([], { timout: 5 } as never)).toThrow(
      new OptionValidationError(
        'TaskSupervisor.waitAll',
        'timout',
        reasons.unknownKey(['timeout']),
      ),
    );
    expect(() => supervisor.shutdown({ timout: 5 } as never)).toThrow(
      new OptionValidationError(
        'TaskSupervisor.shutdown',
        'timout',
        reasons.unknownKey(['timeout', 'deadline', 'drainQueue']),
      ),
    );
    expect(() => supervisor.shutdown({ drainQueue: 'yes' } as never)).toThrow(
      new OptionValidationError('TaskSupervisor.shutdown', 'drainQueue', reasons.notBoolean('yes')),
    );
  });

  it('describes a value that cannot be turned into a string instead of throwing a TypeError', () => {
    const opaque = Object.create(null) as never;
    expect(() => supervisor.submit(work, { timeout: opaque })).toThrow(
      new OptionValidationError(
        'TaskSupervisor.submit',
        'timeout',
        reasons.notNumber({ min: 1 }, opaque),
      ),
    );
    expect(() => new TaskSupervisor({ limits: { a: { maxCalls: opaque } } })).toThrow(
      new OptionValidationError(
        'TaskSupervisor',
        'limits.a.maxCalls',
        reasons.notInteger({ min: 1 }, opaque),
      ),
    );
  });
});
