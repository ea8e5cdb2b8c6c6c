import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  Every,
  OptionValidationError,
  Task,
  TaskDeclarationError,
  TaskGroup,
  TaskRegistry,
  type TaskDefinition,
} from '../../lib/index.js';
import { messages, validationMessages as reasons } from '../../lib/errors.js';
import { POLICY_KEYS, resolvePolicies } from '../../lib/runner/task-policies.js';
import { createApp } from '../fixtures/testing-module.js';

/** Runs `act` and returns what it threw, failing the test if it threw nothing. */
function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('accepted');
}

describe('@Task and @TaskGroup options', () => {
  it('reject an unknown @Task option where it is declared, naming the method and the key', () => {
    const error = thrown(() => {
      class Reports {
        @Task(new Every({ seconds: 1 }), { timout: 1_000 } as never)
        run() {}
      }
      return Reports;
    });
    expect(error).toEqual(
      new OptionValidationError(
        '@Task on Reports.run',
        'timout',
        reasons.unknownKey([
          'name',
          'disabled',
          'initialDelay',
          'coordination',
          'critical',
          ...POLICY_KEYS,
        ]),
      ),
    );
  });

  it('reject a misspelt retry key and a name that is not a string', () => {
    expect(
      thrown(() => {
        class Reports {
          @Task(new Every({ seconds: 1 }), { retry: { attempts: 2, backof: {} } } as never)
          run() {}
        }
        return Reports;
      }),
    ).toEqual(
      new OptionValidationError(
        '@Task on Reports.run',
        'retry.backof',
        reasons.unknownKey(['attempts', 'backoff', 'jitter']),
      ),
    );
    expect(
      thrown(() => {
        class Reports {
          @Task(new Every({ seconds: 1 }), { name: 5 } as never)
          run() {}
        }
        return Reports;
      }),
    ).toEqual(
      new OptionValidationError('@Task on Reports.run', 'name', reasons.notNonEmptyString(5)),
    );
  });

  it('reject an unknown @TaskGroup default, naming the class and the key', () => {
    const error = thrown(() => {
      @TaskGroup('billing', { overlab: 'queue' } as never)
      class Billing {}
      return Billing;
    });
    expect(error).toEqual(
      new OptionValidationError(
        '@TaskGroup on Billing',
        'defaults.overlab',
        reasons.unknownKey(POLICY_KEYS),
      ),
    );
  });

  it('describe a trigger that cannot be turned into a string instead of throwing a TypeError', () => {
    const notATrigger = Object.create(null) as never;
    const error = thrown(() => {
      class Reports {
        @Task(notATrigger)
        run() {}
      }
      return Reports;
    });
    expect(error).toEqual(
      new TaskDeclarationError(messages.taskNeedsTrigger('Reports.run', notATrigger)),
    );
  });
});

describe('resolvePolicies', () => {
  it.each<[string, object, string, string]>([
    ['a misspelt timeout', { timout: 5 }, 'timout', reasons.unknownKey(POLICY_KEYS)],
    ['a misspelt overlap', { overlab: 'skip' }, 'overlab', reasons.unknownKey(POLICY_KEYS)],
    [
      'a misspelt backoff',
      { retry: { attempts: 2, backof: { delay: 1 } } },
      'retry.backof',
      reasons.unknownKey(['attempts', 'backoff', 'jitter']),
    ],
    [
      'a misspelt backoff delay',
      { retry: { attempts: 2, backoff: { type: 'fixed', delai: 1 } } },
      'retry.backoff.delai',
      reasons.unknownKey(['type', 'delay', 'maxDelay']),
    ],
    [
      'an overlap that is a BigInt (a TypeError before)',
      { overlap: 1n },
      'overlap',
      reasons.notOneOf(['skip', 'queue', 'allow'], 1n),
    ],
    [
      'a jitter whose toString throws (a TypeError before)',
      { jitter: Object.create(null) },
      'jitter',
      reasons.notNumber({ min: 0 }, Object.create(null)),
    ],
  ])('rejects %s, naming the task and the field', (_what, policies, field, reason) => {
    expect(thrown(() => resolvePolicies('Task "t"', policies as never))).toEqual(
      new OptionValidationError('Task "t"', field, reason),
    );
  });
});

@TaskGroup('sync')
@Injectable()
class Sync {
  @Task(new Every({ seconds: 1 }))
  orders() {}
}

@Injectable()
class Loose {
  @Task(new Every({ seconds: 1 }))
  run() {}
}

describe('TaskRegistry arguments', () => {
  let app: TestingModule;
  let registry: TaskRegistry;

  beforeEach(async () => {
    ({ app } = await createApp([Sync, Loose], { enabled: false }));
    registry = app.get(TaskRegistry);
  });
  afterEach(async () => {
    await app.close();
  });

  const definition = (overrides: object): TaskDefinition =>
    ({
      name: 'by-hand',
      trigger: new Every({ seconds: 1 }),
      handler: () => {},
      ...overrides,
    }) as never;

  it.each<[string, object, string, string, string]>([
    ['a number for a name', { name: 5 }, 'Task definition', 'name', reasons.notNonEmptyString(5)],
    ['an empty name', { name: '' }, 'Task definition', 'name', reasons.notNonEmptyString('')],
    [
      'a handler that is not a function',
      { handler: 'run' },
      'Task "by-hand"',
      'handler',
      reasons.notFunction('run'),
    ],
    [
      'something that is not a trigger',
      { trigger: { every: 5 } },
      'Task "by-hand"',
      'trigger',
      messages.notATrigger({ every: 5 }),
    ],
    [
      'a group that is a number',
      { group: 7 },
      'Task "by-hand"',
      'group',
      reasons.notNonEmptyString(7),
    ],
    [
      'an unknown key',
      { timeout: 5 },
      'Task "by-hand"',
      'timeout',
      reasons.unknownKey([
        'name',
        'group',
        'trigger',
        'handler',
        'policies',
        'groupPolicies',
        'source',
        'disabled',
        'initialDelay',
        'coordination',
        'critical',
      ]),
    ],
  ])(
    'addTask rejects %s, naming the field, and stores nothing',
    (_what, overrides, owner, field, reason) => {
      expect(thrown(() => registry.addTask(definition(overrides)))).toEqual(
        new OptionValidationError(owner, field, reason),
      );
      expect(registry.getTasks().map((task) => task.name)).toEqual(['sync.orders', 'Loose.run']);
    },
  );

  it('addTask still takes a good definition', () => {
    registry.addTask(definition({ group: 'manual', policies: { timeout: 5 } }));
    expect(registry.getTask('by-hand').group).toBe('manual');
  });

  it('pauseGroup(null) and resumeGroup(undefined) refuse instead of acting on ungrouped tasks', async () => {
    await expect(registry.pauseGroup(null as never)).rejects.toEqual(
      new OptionValidationError('pauseGroup', 'group', reasons.notNonEmptyString(null)),
    );
    await expect(registry.resumeGroup(undefined as never)).rejects.toEqual(
      new OptionValidationError('resumeGroup', 'group', reasons.notNonEmptyString(undefined)),
    );
    expect(registry.getTask('Loose.run').paused).toBe(false);
  });

  it.each<[string, unknown, string, string]>([
    ['null options', null, 'options', reasons.notObject(null)],
    ['a limit of 0', { limit: 0 }, 'limit', reasons.notInteger({ min: 1 }, 0)],
    ['a limit that is a string', { limit: 'x' }, 'limit', reasons.notInteger({ min: 1 }, 'x')],
    ['an unknown key', { limt: 5 }, 'limt', reasons.unknownKey(['limit'])],
  ])('getHistory rejects %s, naming the field', async (_what, options, field, reason) => {
    await expect(registry.getHistory('Loose.run', options as never)).rejects.toEqual(
      new OptionValidationError('getHistory', field, reason),
    );
  });
});
