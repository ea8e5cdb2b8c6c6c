import { describe, expect, it } from '@jest/globals';
import {
  OptionValidationError,
  TriggerValidationError,
  optionError,
  triggerError,
  validationMessages as reasons,
} from '../../lib/errors.js';
import {
  checkBoolean,
  checkFunction,
  checkInstance,
  checkInteger,
  checkKnownKeys,
  checkMethods,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
  checkTimeZone,
  checkTimerDelay,
  describeValue,
} from '../../lib/utils/validation.js';

const fail = optionError('Owner');

/** Runs a check and returns what it threw, failing the test if it threw nothing. */
function thrown(check: () => unknown): unknown {
  try {
    check();
  } catch (error) {
    return error;
  }
  throw new Error('the check accepted the value');
}

describe('describeValue', () => {
  const nullPrototype = Object.assign(Object.create(null) as object, { a: 1 });
  const throwingToString = {
    toString: () => {
      throw new Error('no');
    },
  };
  const throwingGetter = Object.defineProperty({}, 'x', {
    enumerable: true,
    get: () => {
      throw new Error('no');
    },
  });
  const hostile = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('no');
      },
    },
  );

  it.each<[string, unknown, string]>([
    ['a string, quoted', 'abc', '"abc"'],
    ['a string with quotes and a newline, escaped', 'a"b\n', '"a\\"b\\n"'],
    ['a BigInt', 10n, '10n'],
    ['a symbol', Symbol('id'), 'Symbol(id)'],
    ['minus zero', -0, '-0'],
    ['NaN', Number.NaN, 'NaN'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a named function', function handler() {}, '[Function: handler]'],
    ['an invalid date', new Date(Number.NaN), 'Invalid Date'],
    ['a date', new Date(0), '1970-01-01T00:00:00.000Z'],
    ['an error', new RangeError('too big'), 'RangeError: too big'],
    ['an empty object', {}, '{}'],
    ['a plain object', { a: 1, 'b-c': 'x', d: { e: 1 } }, '{ a: 1, "b-c": "x", d: {…} }'],
    ['a long array, shortened', [1, 2, 3, 4, 5, 6, 7], '[1, 2, 3, 4, 5, … 2 more]'],
    ['a class instance', new (class Store {})(), 'Store {}'],
    ['a null-prototype object', nullPrototype, '[Object: null prototype] { a: 1 }'],
    ['an object whose toString throws', throwingToString, '{ toString: [Function: toString] }'],
    ['an object whose getter throws', throwingGetter, 'a value of type object'],
    ['a proxy whose traps throw', hostile, 'a value of type object'],
  ])('describes %s without throwing', (_what, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('cuts a huge string and says how long it was', () => {
    const text = describeValue('x'.repeat(1_000_000));
    expect(text).toBe(`"${'x'.repeat(60)}…" (1000000 characters)`);
  });
});

describe('shared checks', () => {
  it('throw the error their factory builds: one check serves options and triggers', () => {
    expect(thrown(() => checkBoolean(fail, 'enabled', 'yes'))).toEqual(
      new OptionValidationError('Owner', 'enabled', reasons.notBoolean('yes')),
    );
    const error = thrown(() => checkBoolean(triggerError('Every'), 'flag', 1));
    expect(error).toBeInstanceOf(TriggerValidationError);
    expect(error).toMatchObject({ trigger: 'Every', field: 'flag' });
  });

  it.each<[string, () => unknown, string, string]>([
    [
      'an array for an object',
      () => checkObject(fail, 'retry', []),
      'retry',
      reasons.notObject([]),
    ],
    [
      'null for options',
      () => checkKnownKeys(fail, '', null, ['a']),
      'options',
      reasons.notObject(null),
    ],
    [
      'an unknown key, named below its object',
      () => checkKnownKeys(fail, 'retry', { attempts: 1, backof: {} }, ['attempts', 'backoff']),
      'retry.backof',
      reasons.unknownKey(['attempts', 'backoff']),
    ],
    [
      'a value outside the choices',
      () => checkOneOf(fail, 'overlap', 'overlab', ['skip', 'queue']),
      'overlap',
      reasons.notOneOf(['skip', 'queue'], 'overlab'),
    ],
    [
      'a number for a string',
      () => checkString(fail, 'name', 5),
      'name',
      reasons.notNonEmptyString(5),
    ],
    ['an empty string', () => checkString(fail, 'name', ''), 'name', reasons.notNonEmptyString('')],
    [
      'a number for a string that may be empty',
      () => checkString(fail, 'prefix', 5, { allowEmpty: true }),
      'prefix',
      reasons.notString(5),
    ],
    [
      'an integer above its bound',
      () => checkInteger(fail, 'size', 1e9, { min: 0, max: 100 }),
      'size',
      reasons.notInteger({ min: 0, max: 100 }, 1e9),
    ],
    [
      'a BigInt for an integer',
      () => checkInteger(fail, 'size', 5n, { min: 0 }),
      'size',
      reasons.notInteger({ min: 0 }, 5n),
    ],
    [
      'Infinity for a finite number',
      () => checkNumber(fail, 'jitter', Infinity, { min: 0 }),
      'jitter',
      reasons.notNumber({ min: 0 }, Infinity),
    ],
    [
      'a delay no timer can hold',
      () => checkTimerDelay(fail, 'timeout', 2 ** 31),
      'timeout',
      reasons.tooLongForTimer(2 ** 31),
    ],
    [
      'a string for a function',
      () => checkFunction(fail, 'handler', 'run'),
      'handler',
      reasons.notFunction('run'),
    ],
    [
      'an object without the methods',
      () => checkMethods(fail, 'runStore', { add() {} }, ['add', 'list']),
      'runStore',
      reasons.missingMethods(['add', 'list'], { add() {} }),
    ],
    [
      'a look-alike for an instance',
      () => checkInstance(fail, 'signal', {}, AbortSignal),
      'signal',
      reasons.notInstance('AbortSignal', {}),
    ],
    [
      'an unknown time zone',
      () => checkTimeZone(fail, 'timeZone', 'Mars/Olympus'),
      'timeZone',
      reasons.unknownTimeZone('Mars/Olympus'),
    ],
  ])('reject %s, naming the field', (_what, check, field, reason) => {
    expect(thrown(check)).toEqual(new OptionValidationError('Owner', field, reason));
  });

  it('accept good values and return them', () => {
    expect(checkInteger(fail, 'max', Infinity, { min: 0, orInfinity: true })).toBe(Infinity);
    expect(checkNumber(fail, 'ms', 1.5, { min: 0 })).toBe(1.5);
    expect(checkTimerDelay(fail, 'timeout', 2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(checkOneOf(fail, 'overlap', 'queue', ['skip', 'queue'])).toBe('queue');
    expect(checkString(fail, 'prefix', '', { allowEmpty: true })).toBe('');
    expect(() => checkKnownKeys(fail, '', { a: 1 }, ['a', 'b'])).not.toThrow();
    expect(() => checkMethods(fail, 'logger', console, ['log', 'warn', 'error'])).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['a BigInt', 10n],
    ['a symbol', Symbol('s')],
    ['a null-prototype object', Object.create(null)],
    [
      'an object whose toString throws',
      {
        toString: () => {
          throw new Error('no');
        },
      },
    ],
  ])('describe %s in the message instead of throwing a TypeError', (_what, value) => {
    for (const check of [
      () => checkOneOf(fail, 'f', value, ['a']),
      () => checkNumber(fail, 'f', value),
      () => checkTimeZone(fail, 'f', value),
      () => checkString(fail, 'f', value),
    ]) {
      expect(thrown(check)).toBeInstanceOf(OptionValidationError);
    }
  });
});
