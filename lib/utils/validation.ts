import { validationMessages as reasons } from '../errors.js';
import { isValidTimeZone } from '../triggers/zoned-time.js';
import { MAX_TIMER_DELAY_MS } from './abortable-sleep.js';

export { describeValue } from './describe-value.js';

/**
 * Builds the error a failed check throws, from the field's path and the reason: triggers throw
 * TriggerValidationError, options OptionValidationError (see `optionError` and `triggerError`).
 */
export type ErrorFactory = (field: string, reason: string) => Error;

/** Bounds of a number check; both inclusive. `orInfinity` also accepts Infinity ("no limit"). */
export interface NumberRange {
  min?: number;
  max?: number;
  orInfinity?: boolean;
}

/** True for an object that can hold options: not null, not an array, not a function. */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rejects anything but an options object (not null, not an array). */
export function checkObject(
  fail: ErrorFactory,
  field: string,
  value: unknown,
): asserts value is object {
  if (!isOptionsObject(value)) throw fail(field, reasons.notObject(value));
}

/**
 * Rejects a non-object and any own key not in `allowed`, so that a typo such as `timout` cannot
 * pass unnoticed. `field` is the object's path ('' for top-level options); keys are named below it.
 */
export function checkKnownKeys(
  fail: ErrorFactory,
  field: string,
  value: unknown,
  allowed: readonly string[],
): asserts value is object {
  checkObject(fail, field || 'options', value);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw fail(field ? `${field}.${key}` : key, reasons.unknownKey(allowed));
    }
  }
}

/** Rejects values outside a fixed set of choices. */
export function checkOneOf<T>(
  fail: ErrorFactory,
  field: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!choices.includes(value as T)) throw fail(field, reasons.notOneOf(choices, value));
  return value as T;
}

/** Rejects anything but true or false. */
export function checkBoolean(fail: ErrorFactory, field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw fail(field, reasons.notBoolean(value));
  return value;
}

/** Rejects anything but a string, and the empty string unless `allowEmpty`. */
export function checkString(
  fail: ErrorFactory,
  field: string,
  value: unknown,
  { allowEmpty = false }: { allowEmpty?: boolean } = {},
): string {
  if (typeof value !== 'string') {
    throw fail(field, allowEmpty ? reasons.notString(value) : reasons.notNonEmptyString(value));
  }
  if (!allowEmpty && value === '') throw fail(field, reasons.notNonEmptyString(value));
  return value;
}

/** Rejects anything but an integer within `range` (or Infinity if it says so). */
export const checkInteger = numericCheck(Number.isInteger, reasons.notInteger);

/** Rejects anything but a finite number within `range` (or Infinity if it says so). */
export const checkNumber = numericCheck(Number.isFinite, reasons.notNumber);

/** A number of milliseconds >= `min` that one Node timer can wait: Node turns longer delays into 1 ms. */
export function checkTimerDelay(
  fail: ErrorFactory,
  field: string,
  value: unknown,
  min = 0,
): number {
  const ms = checkNumber(fail, field, value, { min });
  if (ms > MAX_TIMER_DELAY_MS) throw fail(field, reasons.tooLongForTimer(ms));
  return ms;
}

/** Rejects anything but a function. */
export function checkFunction(
  fail: ErrorFactory,
  field: string,
  value: unknown,
): (...args: never[]) => unknown {
  if (typeof value !== 'function') throw fail(field, reasons.notFunction(value));
  return value as (...args: never[]) => unknown;
}

/**
 * Rejects anything but an object with each of `methods` as a function (own or inherited), such as
 * a store or a logger. `alternative` names another accepted value for the message (e.g. 'false').
 */
export function checkMethods(
  fail: ErrorFactory,
  field: string,
  value: unknown,
  methods: readonly string[],
  alternative?: string,
): object {
  const ok =
    typeof value === 'object' &&
    value !== null &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
  if (!ok) throw fail(field, reasons.missingMethods(methods, value, alternative));
  return value;
}

/** Rejects anything that is not an instance of `type` (e.g. AbortSignal). */
export function checkInstance<T>(
  fail: ErrorFactory,
  field: string,
  value: unknown,
  type: abstract new (...args: never[]) => T,
  typeName: string = type.name,
): T {
  if (!(value instanceof type)) throw fail(field, reasons.notInstance(typeName, value));
  return value;
}

/** Rejects anything but a Date that holds a time (an Invalid Date is rejected too). */
export function checkDate(fail: ErrorFactory, field: string, value: unknown): Date {
  // Named explicitly: under fake timers Date is a subclass with another name.
  const date = checkInstance(fail, field, value, Date, 'Date');
  if (Number.isNaN(date.getTime())) throw fail(field, reasons.invalidDate());
  return date;
}

/** Rejects a time zone that Intl does not know. */
export function checkTimeZone(fail: ErrorFactory, field: string, value: unknown): string {
  if (!isValidTimeZone(value)) throw fail(field, reasons.unknownTimeZone(value));
  return value;
}

function numericCheck(
  isKind: (value: number) => boolean,
  reason: (range: NumberRange, got: unknown) => string,
): (fail: ErrorFactory, field: string, value: unknown, range?: NumberRange) => number {
  return (fail, field, value, range = {}) => {
    const { min, max, orInfinity } = range;
    const ok =
      typeof value === 'number' &&
      (isKind(value) || (orInfinity === true && value === Infinity)) &&
      (min === undefined || value >= min) &&
      (max === undefined || value <= max);
    if (!ok) throw fail(field, reason(range, value));
    return value;
  };
}
