import { triggerError } from '../errors.js';
import {
  checkInteger,
  checkKnownKeys,
  checkNumber,
  checkOneOf,
  checkTimeZone,
} from '../utils/validation.js';

// Thin wrappers over lib/utils/validation.ts that throw TriggerValidationError naming the trigger.

/** Rejects option keys the trigger does not know, so that a typo such as `second` cannot pass. */
export function assertKnownKeys(
  trigger: string,
  options: object | undefined,
  allowed: readonly string[],
): void {
  if (options !== undefined) checkKnownKeys(triggerError(trigger), '', options, allowed);
}

/** Rejects anything but a finite, non-negative number. */
export function assertNonNegativeNumber(trigger: string, field: string, value: unknown): void {
  checkNumber(triggerError(trigger), field, value, { min: 0 });
}

/** Rejects anything but an integer within [min, max]. */
export function assertIntegerInRange(
  trigger: string,
  field: string,
  value: unknown,
  min: number,
  max: number,
): void {
  checkInteger(triggerError(trigger), field, value, { min, max });
}

/** Rejects values outside a fixed set of choices. */
export function assertOneOf<T extends string>(
  trigger: string,
  field: string,
  value: unknown,
  choices: readonly T[],
): asserts value is T {
  checkOneOf(triggerError(trigger), field, value, choices);
}

/** Rejects a time zone that Intl does not know; `source` tells where the value came from. */
export function assertTimeZone(trigger: string, zone: unknown, source = ''): string {
  // The source goes after the reason, so the zone is checked with a factory that appends it.
  return checkTimeZone(
    (field, reason) => triggerError(trigger)(field, reason + source),
    'tz',
    zone,
  );
}
