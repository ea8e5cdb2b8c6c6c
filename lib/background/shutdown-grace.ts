import { messages, OptionValidationError } from '../errors.js';
import { assertTimerDelay } from '../utils/option-assertions.js';
import { MAX_TIMER_DELAY_MS } from '../utils/abortable-sleep.js';
import { backgroundMessages } from './background.errors.js';
import type { ShutdownOptions } from './task-supervisor.options.js';

const OWNER = 'TaskSupervisor.shutdown';

/** Running jobs get this long when shutdown is given neither `timeout` nor `deadline`. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Milliseconds running jobs get from `now`: `timeout` as given, or what is left until `deadline`
 * (none if it has passed), so that a caller sharing one deadline with the scheduler can pass it on.
 */
export function shutdownGraceMs(options: ShutdownOptions, now: number): number {
  const { timeout, deadline } = options;
  if (deadline === undefined) {
    return assertTimerDelay(OWNER, 'timeout', timeout ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  }
  if (timeout !== undefined) {
    throw new OptionValidationError(OWNER, 'deadline', backgroundMessages.timeoutAndDeadline);
  }
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) {
    throw new OptionValidationError(OWNER, 'deadline', backgroundMessages.deadline(deadline));
  }
  const remaining = Math.max(0, deadline - now);
  if (remaining > MAX_TIMER_DELAY_MS) {
    throw new OptionValidationError(OWNER, 'deadline', messages.tooLongForTimer(remaining));
  }
  return remaining;
}
