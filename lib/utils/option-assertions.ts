import { messages, OptionValidationError } from '../errors.js';
import { MAX_TIMER_DELAY_MS } from './abortable-sleep.js';

/** Returns `value` if it is a finite number >= 0, else throws OptionValidationError naming the field. */
export function assertNonNegative(owner: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new OptionValidationError(
      owner,
      field,
      `must be a finite number >= 0, got ${String(value)}`,
    );
  }
  return value;
}

/** As assertNonNegative, and short enough for one Node timer (longer ones would fire at once). */
export function assertTimerDelay(owner: string, field: string, value: unknown): number {
  const ms = assertNonNegative(owner, field, value);
  if (ms > MAX_TIMER_DELAY_MS) {
    throw new OptionValidationError(owner, field, messages.tooLongForTimer(ms));
  }
  return ms;
}
