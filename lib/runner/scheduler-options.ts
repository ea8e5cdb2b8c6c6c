import type { TriggerDefaults } from '../triggers/trigger-state.js';
import type { ClusterOptions } from './cluster-options.js';
import type { RunWrapper } from './run-executor.js';
import type { RunStore } from './run-store.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import type { TaskPolicies } from './task-policies.js';

/** Settings of a TaskScheduler; the Nest module fills them from its options. */
export interface TaskSchedulerOptions {
  logger: SchedulerLogger;
  /** How long shutdown waits for running runs before aborting them (ms). */
  shutdownTimeout?: number;
  /** A run that starts later than this after its planned time (ms) is a misfire. */
  misfireThreshold?: number;
  /** Policy defaults for every task. */
  defaults?: TaskPolicies;
  triggerDefaults?: TriggerDefaults;
  store?: RunStore;
  wrapRun?: RunWrapper;
  random?: () => number;
  /** Cluster mode: replicas sharing a coordinator claim each tick of a deterministic schedule once. */
  cluster?: ClusterOptions;
}

/** Options of `remove`. */
export interface RemoveTaskOptions {
  /** Abort a run in progress (its signal, reason TaskRemovedError) instead of letting it finish. */
  abort?: boolean;
}

/** Options of `shutdown`. */
export interface SchedulerShutdownOptions {
  /** When (epoch ms) to stop waiting for runs and abort them; default now + shutdownTimeout. */
  deadline?: number;
}
