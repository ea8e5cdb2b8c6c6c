import { MAX_TIMER_DELAY_MS } from './utils/abortable-sleep.js';
import { describeValue } from './utils/describe-value.js';
import type { ErrorFactory, NumberRange } from './utils/validation.js';

/** Thrown when a trigger is built with input it cannot honour; the message names the trigger and the field. */
export class TriggerValidationError extends Error {
  constructor(
    readonly trigger: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${trigger}: invalid ${field}: ${reason}`);
    this.name = 'TriggerValidationError';
  }
}

/** Thrown by the registry when no task has the given id or name. */
export class TaskNotFoundError extends Error {
  constructor(readonly idOrName: string) {
    super(`No task with id or name "${idOrName}"`);
    this.name = 'TaskNotFoundError';
  }
}

/** Thrown at bootstrap when the declared tasks cannot be scheduled as written. */
export class TaskDeclarationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskDeclarationError';
  }
}

/** Thrown when a module or task option has a value the scheduler cannot use. */
export class OptionValidationError extends Error {
  constructor(
    readonly owner: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${owner}: invalid option ${field}: ${reason}`);
    this.name = 'OptionValidationError';
  }
}

/** The reason a run's signal is aborted when it exceeds its timeout. */
export class TaskTimeoutError extends Error {
  constructor(
    readonly taskName: string,
    readonly timeoutMs: number,
  ) {
    super(`Task "${taskName}" timed out after ${timeoutMs} ms`);
    this.name = 'TaskTimeoutError';
  }
}

/** The reason a run's signal is aborted when the application shuts down. */
export class ShutdownAbortError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}" was aborted because the application is shutting down`);
    this.name = 'ShutdownAbortError';
  }
}

/** Thrown by a manual run that the overlap policy skipped. */
export class RunSkippedError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}" is already running and its overlap policy is 'skip'`);
    this.name = 'RunSkippedError';
  }
}

/** The reason a run's signal is aborted, and queued manual runs refused, when its task is removed. */
export class TaskRemovedError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}" was removed`);
    this.name = 'TaskRemovedError';
  }
}

/** The reason a run's signal is aborted when this replica loses the lease of its task. */
export class LeaseLostError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}": this replica lost its lease; another one runs it now`);
    this.name = 'LeaseLostError';
  }
}

/** Thrown by a manual run asked for, or still waiting, while the scheduler shuts down. */
export class SchedulerShutdownError extends Error {
  constructor(taskName: string) {
    super(`Task "${taskName}" cannot run: the scheduler is shutting down`);
    this.name = 'SchedulerShutdownError';
  }
}

/**
 * Thrown by `runTask(id, { requestId })` when that request id already ran the task (cluster-wide in
 * a cluster, within the process otherwise), so a retried HTTP call does not run it twice.
 */
export class DuplicateRunRequestError extends Error {
  constructor(
    readonly taskName: string,
    readonly requestId: string,
  ) {
    super(messages.duplicateRunRequest(taskName, requestId));
    this.name = 'DuplicateRunRequestError';
  }
}

/**
 * Thrown by `runTask(id, { requestId })` in a cluster when the store could not record the request
 * id (unreachable, timed out): the task did not run.
 */
export class RunRequestNotRecordedError extends Error {
  constructor(
    readonly taskName: string,
    readonly requestId: string,
    store: string,
    reason: string,
    options?: { cause: unknown },
  ) {
    super(messages.runRequestNotRecorded(taskName, requestId, store, reason), options);
    this.name = 'RunRequestNotRecordedError';
  }
}

/** Message factories, kept together so that tests and docs quote one wording. */
export const messages = {
  duplicateTaskName: (name: string, first: string, second: string) =>
    `Two tasks are named "${name}": ${first} and ${second}. Give one of them a distinct { name }.`,
  requestScopedHost: (host: string, method: string) =>
    `@Task on ${host}.${method} cannot be scheduled: ${host} is request-scoped (or depends on a request-scoped provider), so no instance exists outside a request. Make the provider a singleton, or move the task to a singleton that resolves the request-scoped one with ModuleRef.`,
  transientHost: (host: string, method: string) =>
    `@Task on ${host}.${method} cannot be scheduled: ${host} is transient, so every consumer gets its own instance and none is the one to schedule. Make the provider a singleton, or move the task to a singleton provider.`,
  staticTaskMethod: (host: string, method: string) =>
    `${host}.${method}: @Task decorates instance methods of a provider, not static methods.`,
  duplicateTaskDecorator: (host: string, method: string) =>
    `${host}.${method} has more than one @Task: combine the triggers with OrTrigger.`,
  taskNeedsTrigger: (where: string, got: unknown) =>
    `${where}: @Task needs a trigger such as new Every({ seconds: 5 }), got ${describeValue(got)}`,
  notATrigger: (got: unknown) =>
    `must be a trigger such as new Every({ seconds: 5 }), got ${describeValue(got)}`,
  shutdownTimeout: (taskNames: string[]) =>
    `Shutdown timeout reached; aborting runs still going: ${listNames(taskNames)}`,
  shutdownWaiting: (taskNames: string[], waitMs: number) =>
    `Shutting down: waiting up to ${waitMs} ms for runs of ${listNames(taskNames)}`,
  setTriggerPhase: (taskName: string) =>
    `Task "${taskName}": setTrigger works only between scheduled triggers, not startup or shutdown ones`,
  storeUnreachable: (kind: string, reason: string) =>
    `Cluster store (${kind}) unreachable; no tick runs until it is back: ${reason}`,
  storeReachable: (kind: string) => `Cluster store (${kind}) reachable again`,
  historyNotWritten: (reason: string) =>
    `Run history could not be written to the cluster store; records are kept and written again when it answers: ${reason}`,
  historyWrittenAgain: () => 'Run history kept during the store outage written',
  historyLost: (count: number, why: string) =>
    `${count} run history record(s) could not be written to the cluster store: ${why}`,
  claimsEarly: (instanceId: string, toleranceMs: number) =>
    `Replica ${instanceId}: the cluster store refused its claims as early: this machine's clock is more than ${toleranceMs} ms ahead of the store's, so other replicas run the ticks. Sync the clock (NTP), or raise cluster.claimTolerance.`,
  overlapCluster: 'it overlapped a run in flight on a replica of the cluster',
  wonWhileStopping: 'claimed while the scheduler stopped or the task was paused',
  controlChangedWhileWaiting:
    "paused or given a new trigger while its claim waited for the store's clock",
  missedWhileDown: 'no replica claimed it in time (every replica down, or the store unreachable)',
  anchorsFailed: (tasks: number, reason: string) =>
    `Cluster anchors could not be read for ${tasks} task(s) (fixed-rate Every, Once); they wait and are asked for again: ${reason}`,
  leaseRenewFailed: (reason: string) =>
    `Cluster leases could not be renewed; leases not confirmed in time are given up: ${reason}`,
  leaseReleaseFailed: (reason: string) =>
    `Cluster leases could not be released at shutdown; they expire by themselves: ${reason}`,
  clusterNeedsZone: (taskName: string) =>
    `Task "${taskName}": in a cluster every replica must plan the same wall-clock times: give the trigger a tz, or the module a timeZone`,
  triggerFailed: (taskName: string, triggerType: string, reason: string) =>
    `Task "${taskName}": its ${triggerType} trigger failed and the task is no longer scheduled: ${reason}`,
  badCritical: (got: unknown) => `must be true, false or { within: ms }, got ${describeValue(got)}`,
  triggerNotRebuildable: (taskName: string, triggerType: string) =>
    `Task "${taskName}": setTrigger in a cluster sends the trigger to every replica as its describe() data, and a ${triggerType} cannot be rebuilt from it; use a built-in trigger (Every, At, Cron, Once, Forever, OrTrigger of those)`,
  controlNotApplied: (taskName: string, reason: string) =>
    `Task "${taskName}": a control change from the cluster store could not be applied here: ${reason}`,
  controlNotCommitted: (taskName: string, change: string, kind: string, reason: string) =>
    `Task "${taskName}": ${change} could not be committed in the cluster store (${kind}): ${reason}. Nothing changed on this replica; if the store took it before the failure, every replica applies it at its next control sync`,
  runRequestNotRecorded: (taskName: string, requestId: string, kind: string, reason: string) =>
    `Task "${taskName}": run request "${requestId}" could not be recorded in the cluster store (${kind}), so it did not run: ${reason}`,
  controlSyncFailed: (reason: string) =>
    `Cluster control state could not be read; pause, resume and setTrigger of other replicas wait: ${reason}`,
  duplicateRunRequest: (taskName: string, requestId: string) =>
    `Task "${taskName}" already ran for request id "${requestId}"; a request id runs a task once`,
  sharedTrigger: (first: string, second: string) =>
    `Tasks ${first} and ${second} share one trigger instance (directly or as an OrTrigger child). Create a new trigger for each @Task.`,
} as const;

/** Names for a message: the first ten, then how many more, so a message stays short. */
function listNames(names: string[]): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

/** Reasons given by the shared checks of lib/utils/validation.ts, whichever error class carries them. */
export const validationMessages = {
  notObject: (got: unknown) => `must be an object, got ${describeValue(got)}`,
  unknownKey: (allowed: readonly string[]) =>
    `unknown option; expected one of ${allowed.join(', ')}`,
  notOneOf: (choices: readonly unknown[], got: unknown) =>
    `must be one of ${choices.map(describeValue).join(', ')}, got ${describeValue(got)}`,
  notBoolean: (got: unknown) => `must be true or false, got ${describeValue(got)}`,
  notString: (got: unknown) => `must be a string, got ${describeValue(got)}`,
  notNonEmptyString: (got: unknown) => `must be a non-empty string, got ${describeValue(got)}`,
  notInteger: (range: NumberRange, got: unknown) =>
    `must be an integer${rangeText(range)}, got ${describeValue(got)}`,
  notNumber: (range: NumberRange, got: unknown) =>
    `must be a ${range.orInfinity ? '' : 'finite '}number${rangeText(range)}, got ${describeValue(got)}`,
  // Node turns longer timer delays into 1 ms, so a longer wait would end at once.
  tooLongForTimer: (value: number) =>
    `must be at most ${MAX_TIMER_DELAY_MS} ms (about 24.8 days), got ${value}`,
  notFunction: (got: unknown) => `must be a function, got ${describeValue(got)}`,
  missingMethods: (methods: readonly string[], got: unknown, alternative?: string) =>
    `must be ${alternative === undefined ? '' : `${alternative} or `}an object with the methods ${methods.join(', ')}, got ${describeValue(got)}`,
  notInstance: (typeName: string, got: unknown) =>
    `must be an instance of ${typeName}, got ${describeValue(got)}`,
  invalidDate: () => 'must be a valid Date, got an Invalid Date',
  unknownTimeZone: (zone: unknown) => `unknown IANA time zone ${describeValue(zone)}`,
} as const;

function rangeText({ min, max, orInfinity }: NumberRange): string {
  const bounds =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` >= ${min}`
        : max !== undefined
          ? ` <= ${max}`
          : '';
  return orInfinity ? `${bounds} or Infinity` : bounds;
}

/** The error factory of module, task, group and job options: OptionValidationError naming `owner`. */
export function optionError(owner: string): ErrorFactory {
  return (field, reason) => new OptionValidationError(owner, field, reason);
}

/** The error factory of trigger options: TriggerValidationError naming the trigger. */
export function triggerError(trigger: string): ErrorFactory {
  return (field, reason) => new TriggerValidationError(trigger, field, reason);
}
