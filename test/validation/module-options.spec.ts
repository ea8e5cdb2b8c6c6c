import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  Every,
  InMemoryRunStore,
  OptionValidationError,
  Task,
  TaskRunHook,
  type AioClockModuleOptions,
} from '../../lib/index.js';
import { MAX_HISTORY_SIZE, MODULE_OPTION_KEYS } from '../../lib/aioclock.options.js';
import { validationMessages as reasons } from '../../lib/errors.js';
import { POLICY_KEYS } from '../../lib/runner/task-policies.js';
import { createApp } from '../fixtures/testing-module.js';

@Injectable()
class Reports {
  @Task(new Every({ hours: 1 }))
  hourly() {}
}

/** Bootstraps an app with the options; returns what bootstrap threw, or undefined. */
async function bootstrapError(options: unknown): Promise<unknown> {
  try {
    const { app } = await createApp([Reports], options as AioClockModuleOptions);
    await app.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

const moduleError = (field: string, reason: string) =>
  new OptionValidationError('AioClockModule', field, reason);

describe('forRoot options', () => {
  it('lists every option it accepts when a key is unknown', () => {
    expect(MODULE_OPTION_KEYS).toEqual(expect.arrayContaining(['shutdownTimeout', 'runHook']));
  });

  it.each<[string, unknown, string, string]>([
    [
      'a misspelt option',
      { shutdownTimout: 5_000 },
      'shutdownTimout',
      reasons.unknownKey(MODULE_OPTION_KEYS),
    ],
    [
      'a run store without add and list',
      { runStore: {} },
      'runStore',
      reasons.missingMethods(['add', 'list'], {}),
    ],
    [
      'task defaults that are not an object',
      { taskDefaults: 'x' },
      'taskDefaults',
      reasons.notObject('x'),
    ],
    [
      'a misspelt task default',
      { taskDefaults: { timout: 1_000 } },
      'taskDefaults.timout',
      reasons.unknownKey(POLICY_KEYS),
    ],
    [
      'a misspelt retry key in the task defaults',
      { taskDefaults: { retry: { attempts: 2, backof: { type: 'fixed', delay: 1 } } } },
      'taskDefaults.retry.backof',
      reasons.unknownKey(['attempts', 'backoff', 'jitter']),
    ],
    [
      'a bad task default value',
      { taskDefaults: { overlap: 'overlab' } },
      'taskDefaults.overlap',
      reasons.notOneOf(['skip', 'queue', 'allow'], 'overlab'),
    ],
    [
      'a logger without log, warn and error',
      { logger: {} },
      'logger',
      reasons.missingMethods(['log', 'warn', 'error'], {}, 'false'),
    ],
    [
      'a history size past its bound',
      { historySize: 1e9 },
      'historySize',
      reasons.notInteger({ min: 0, max: MAX_HISTORY_SIZE }, 1e9),
    ],
    ['enabled given as a string', { enabled: 'yes' }, 'enabled', reasons.notBoolean('yes')],
    [
      'a time zone that is a BigInt (a TypeError before)',
      { timeZone: 10n },
      'timeZone',
      reasons.unknownTimeZone(10n),
    ],
    [
      'a negative misfire threshold',
      { misfireThreshold: -1 },
      'misfireThreshold',
      reasons.notNumber({ min: 0 }, -1),
    ],
    [
      'supervisor options that are not an object',
      { supervisor: 4 },
      'supervisor',
      reasons.notObject(4),
    ],
  ])('rejects %s at bootstrap, naming the field', async (_what, options, field, reason) => {
    expect(await bootstrapError(options)).toEqual(moduleError(field, reason));
  });

  it('states the history bound in its message', () => {
    expect(reasons.notInteger({ min: 0, max: MAX_HISTORY_SIZE }, 1e9)).toBe(
      'must be an integer from 0 to 100000, got 1000000000',
    );
  });

  it('still accepts every valid option, a logger class instance and a store subclass', async () => {
    class AuditedStore extends InMemoryRunStore {}
    class TracingHook extends TaskRunHook {}
    // createApp passes a RecordingLogger instance, whose methods live on its prototype.
    expect(
      await bootstrapError({
        enabled: false,
        timeZone: 'Europe/Paris',
        shutdownTimeout: 1_000,
        taskDefaults: {
          timeout: 5_000,
          retry: { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
        },
        historySize: MAX_HISTORY_SIZE,
        runStore: new AuditedStore(),
        misfireThreshold: 500,
        supervisor: { pools: { inline: { poolSize: 2 } } },
        // Nest omits only the extras it has a default for (isGlobal): runHook reaches the options.
        runHook: TracingHook,
      }),
    ).toBeUndefined();
  });
});
