import { isValidTimeZone } from './zoned-time.js';
import { messages, TriggerValidationError } from '../errors.js';

/** Rejects option keys the trigger does not know, so that a typo such as `second` cannot pass. */
export function assertKnownKeys(
  trigger: string,
  options: object | undefined,
  allowed: readonly string[],
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TriggerValidationError(trigger, 'options', 'must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TriggerValidationError(
        trigger,
        key,
        `unknown option; expected one of ${allowed.join(', ')}`,
      );
    }
  }
}

/** Rejects anything but a finite, non-negative number. */
export function assertNonNegativeNumber(trigger: string, field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TriggerValidationError(
      trigger,
      field,
      `must be a finite number >= 0, got ${String(value)}`,
    );
  }
}

/** Rejects anything but an integer within [min, max]. */
export function assertIntegerInRange(
  trigger: string,
  field: string,
  value: unknown,
  min: number,
  max: number,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TriggerValidationError(
      trigger,
      field,
      `must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
}

/** Rejects values outside a fixed set of choices. */
export function assertOneOf<T extends string>(
  trigger: string,
  field: string,
  value: unknown,
  choices: readonly T[],
): asserts value is T {
  if (!choices.includes(value as T)) {
    throw new TriggerValidationError(
      trigger,
      field,
      `must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
}

/** Rejects a time zone that Intl does not know; `source` tells where the value came from. */
export function assertTimeZone(trigger: string, zone: unknown, source = ''): string {
  if (!isValidTimeZone(zone)) {
    const reason = messages.unknownTimeZone(zone) + source;
    throw new TriggerValidationError(trigger, 'tz', reason);
  }
  return zone;
}
