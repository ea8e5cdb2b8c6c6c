import type { LoggerService } from '@nestjs/common';
import { messages, OptionValidationError } from './errors.js';
import { assertNonNegative, assertTimerDelay } from './utils/option-assertions.js';
import { isValidTimeZone } from './triggers/zoned-time.js';
import type { TaskSupervisorOptions } from './background/task-supervisor.options.js';
import type { RunStore } from './runner/run-store.js';
import type { TaskPolicies } from './runner/task-policies.js';

/** Options of `AioClockModule.forRoot` / `forRootAsync`. */
export interface AioClockModuleOptions {
  /** false registers and lists tasks but starts nothing (handy in tests). Default true. */
  enabled?: boolean;
  /** IANA zone for At and Cron triggers without their own `tz`. Default: the system zone. */
  timeZone?: string;
  /** How long shutdown waits for running runs before aborting them (ms). Default 10,000. */
  shutdownTimeout?: number;
  /** A Nest logger, or false for silence. Default: Nest's Logger with context 'AioClock'. */
  logger?: LoggerService | false;
  /** Policy defaults for every task (timeout, overlap, retry, misfire, catchUpWindow, jitter). */
  taskDefaults?: TaskPolicies;
  /** Runs kept per task by the in-memory history. Default 100. */
  historySize?: number;
  /** Where run history goes; replaces the in-memory store (historySize then does not apply). */
  runStore?: RunStore;
  /** A run starting later than this after its planned time (ms) counts as a misfire. Default 1,000. */
  misfireThreshold?: number;
  /** Pools, retention and limits of the background-job `TaskSupervisor`. */
  supervisor?: TaskSupervisorOptions;
}

const OWNER = 'AioClockModule';

/** Validates module options at bootstrap, naming the offending field. */
export function validateModuleOptions(options: AioClockModuleOptions): void {
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
    throw new OptionValidationError(OWNER, 'enabled', 'must be a boolean');
  }
  if (options.timeZone !== undefined && !isValidTimeZone(options.timeZone)) {
    throw new OptionValidationError(OWNER, 'timeZone', messages.unknownTimeZone(options.timeZone));
  }
  if (options.shutdownTimeout !== undefined) {
    assertTimerDelay(OWNER, 'shutdownTimeout', options.shutdownTimeout);
  }
  if (options.misfireThreshold !== undefined) {
    assertNonNegative(OWNER, 'misfireThreshold', options.misfireThreshold);
  }
  const { historySize } = options;
  if (historySize !== undefined && !(Number.isInteger(historySize) && historySize >= 0)) {
    throw new OptionValidationError(
      OWNER,
      'historySize',
      `must be an integer >= 0, got ${String(historySize)}`,
    );
  }
}
