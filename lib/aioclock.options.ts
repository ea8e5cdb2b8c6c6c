import type { LoggerService } from '@nestjs/common';
import type { AioClockModuleExtras } from './aioclock.module-definition.js';
import { optionError } from './errors.js';
import type { TaskSupervisorOptions } from './background/task-supervisor.options.js';
import type { Coordinator } from './runner/coordinator.js';
import type { ClusterOptions } from './runner/cluster-options.js';
import type { RunStore } from './runner/run-store.js';
import { checkPolicies, type TaskPolicies } from './runner/task-policies.js';
import {
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  checkMethods,
  checkNumber,
  checkObject,
  checkString,
  checkTimeZone,
  checkTimerDelay,
} from './utils/validation.js';

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
  /** Runs kept per task by the in-memory history, at most 100,000. Default 100. */
  historySize?: number;
  /** Where run history goes; replaces the in-memory store (historySize then does not apply). */
  runStore?: RunStore;
  /** A run starting later than this after its planned time (ms) counts as a misfire. Default 1,000. */
  misfireThreshold?: number;
  /** Pools, retention and limits of the background-job `TaskSupervisor`. */
  supervisor?: TaskSupervisorOptions;
  /**
   * Many replicas: `{ coordinator }` (InMemoryCoordinator, or RedisCoordinator / PostgresCoordinator
   * from their subpaths) claims each tick of an At/Cron task once across replicas and keeps the
   * history in the store. Needs `timeZone` (or a `tz` on every At/Cron).
   */
  cluster?: ClusterOptions;
}

const fail = optionError('AioClockModule');

/** The largest `historySize`: each task's ring holds that many records (100,000 take megabytes). */
export const MAX_HISTORY_SIZE = 100_000;

// Built from a record, so that the compiler flags an option added to the interface but not listed
// here. The extras of forRoot are listed too: Nest passes those it has no default for (runHook) on.
/** The keys `forRoot` accepts; any other is refused as a typo. */
export const MODULE_OPTION_KEYS = Object.keys({
  enabled: true,
  timeZone: true,
  shutdownTimeout: true,
  logger: true,
  taskDefaults: true,
  historySize: true,
  runStore: true,
  misfireThreshold: true,
  supervisor: true,
  cluster: true,
  isGlobal: true,
  runHook: true,
} satisfies Record<keyof AioClockModuleOptions | keyof AioClockModuleExtras, true>);

const LOGGER_METHODS = ['log', 'warn', 'error'] as const satisfies readonly (keyof LoggerService)[];
const RUN_STORE_METHODS = ['add', 'list'] as const satisfies readonly (keyof RunStore)[];

/** Validates module options at bootstrap, naming the offending field. */
export function validateModuleOptions(options: AioClockModuleOptions): void {
  checkKnownKeys(fail, '', options, MODULE_OPTION_KEYS);
  const { enabled, timeZone, shutdownTimeout, misfireThreshold, historySize } = options;
  if (enabled !== undefined) checkBoolean(fail, 'enabled', enabled);
  if (timeZone !== undefined) checkTimeZone(fail, 'timeZone', timeZone);
  if (shutdownTimeout !== undefined) checkTimerDelay(fail, 'shutdownTimeout', shutdownTimeout);
  if (misfireThreshold !== undefined) {
    checkNumber(fail, 'misfireThreshold', misfireThreshold, { min: 0 });
  }
  if (historySize !== undefined) {
    checkInteger(fail, 'historySize', historySize, { min: 0, max: MAX_HISTORY_SIZE });
  }
  if (options.logger !== undefined && options.logger !== false) {
    checkMethods(fail, 'logger', options.logger, LOGGER_METHODS, 'false');
  }
  if (options.runStore !== undefined) {
    checkMethods(fail, 'runStore', options.runStore, RUN_STORE_METHODS);
  }
  if (options.taskDefaults !== undefined) checkPolicies(fail, 'taskDefaults', options.taskDefaults);
  if (options.supervisor !== undefined) checkObject(fail, 'supervisor', options.supervisor);
  if (options.cluster !== undefined) validateCluster(options.cluster);
}

const CLUSTER_KEYS = Object.keys({
  coordinator: true,
  instanceId: true,
  claimTolerance: true,
  leaseTtl: true,
  syncInterval: true,
  inFlightTtl: true,
} satisfies Record<keyof ClusterOptions, true>);
const COORDINATOR_METHODS = [
  'connect',
  'claimTicks',
  'writeControl',
  'readControl',
  'claimRequest',
  'appendHistory',
  'listHistory',
  'close',
] as const satisfies readonly (keyof Coordinator)[];

function validateCluster(cluster: ClusterOptions): void {
  checkKnownKeys(fail, 'cluster', cluster, CLUSTER_KEYS);
  checkMethods(fail, 'cluster.coordinator', cluster.coordinator, COORDINATOR_METHODS);
  if (cluster.instanceId !== undefined) checkString(fail, 'cluster.instanceId', cluster.instanceId);
  if (cluster.claimTolerance !== undefined) {
    checkTimerDelay(fail, 'cluster.claimTolerance', cluster.claimTolerance);
  }
  if (cluster.leaseTtl !== undefined)
    checkTimerDelay(fail, 'cluster.leaseTtl', cluster.leaseTtl, 300);
  if (cluster.syncInterval !== undefined)
    checkTimerDelay(fail, 'cluster.syncInterval', cluster.syncInterval, 10);
  if (cluster.inFlightTtl !== undefined)
    checkTimerDelay(fail, 'cluster.inFlightTtl', cluster.inFlightTtl, 1);
}
