import { DEFAULT_SHUTDOWN_TIMEOUT } from '../utils/shutdown-timeout.js';
import { optionError } from '../errors.js';
import { checkBoolean, checkKnownKeys, checkTimerDelay } from '../utils/validation.js';
import { backgroundMessages } from './background.errors.js';
import type { ShutdownOptions } from './task-supervisor.options.js';

const fail = optionError('TaskSupervisor.shutdown');

/**
 * Milliseconds running jobs get from `now`: `timeout` as given, or what is left until `deadline`
 * (none if it has passed), so that a caller sharing one deadline with the scheduler can pass it on.
 * Validates the options on the way.
 */
export function shutdownGraceMs(options: ShutdownOptions, now: number): number {
  checkKnownKeys(fail, '', options, ['timeout', 'deadline', 'drainQueue']);
  const { timeout, deadline, drainQueue } = options;
  if (drainQueue !== undefined) checkBoolean(fail, 'drainQueue', drainQueue);
  if (deadline === undefined) {
    return checkTimerDelay(fail, 'timeout', timeout ?? DEFAULT_SHUTDOWN_TIMEOUT);
  }
  if (timeout !== undefined) throw fail('deadline', backgroundMessages.timeoutAndDeadline);
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) {
    throw fail('deadline', backgroundMessages.deadline(deadline));
  }
  return checkTimerDelay(fail, 'deadline', Math.max(0, deadline - now));
}
