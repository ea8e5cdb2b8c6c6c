export { AioClockModule } from './aioclock.module.js';
export type { AioClockModuleExtras } from './aioclock.module-definition.js';
export { AIOCLOCK_MODULE_OPTIONS } from './aioclock.module-definition.js';
export type { AioClockModuleOptions } from './aioclock.options.js';
export { Task, type TaskOptions } from './decorators/task.decorator.js';
export { TaskGroup } from './decorators/task-group.decorator.js';
export {
  TaskRegistry,
  MAX_UPCOMING,
  type HistoryOptions,
  type UpcomingOptions,
} from './task.registry.js';
export { TaskRunHook } from './task-run.hook.js';
export { AioClockExceptionFilter } from './aioclock-exception.filter.js';
export {
  TaskNotFoundError,
  TriggerValidationError,
  TaskDeclarationError,
  OptionValidationError,
  TaskTimeoutError,
  ShutdownAbortError,
  RunSkippedError,
  SchedulerShutdownError,
  TaskRemovedError,
  LeaseLostError,
  DuplicateRunRequestError,
  RunRequestNotRecordedError,
} from './errors.js';
export type { TaskContext } from './runner/task-context.js';
export type { TaskMetadata } from './runner/task-metadata.js';
export type { RunRecord, RunStatus, RunOrigin, RunError } from './runner/run-record.js';
export { InMemoryRunStore, type RunStore } from './runner/run-store.js';
export type {
  SchedulerEvent,
  SchedulerEventOf,
  SchedulerEventType,
} from './runner/scheduler-events.js';
export type { TaskDefinition, RunCounters, CriticalOptions } from './runner/scheduled-task.js';
export type { OverdueTask } from './runner/task-health.js';
export type {
  TaskPolicies,
  OverlapPolicy,
  MisfirePolicy,
  RetryPolicy,
} from './runner/task-policies.js';
export { TaskScheduler } from './runner/task-scheduler.js';
export type {
  TaskSchedulerOptions,
  SchedulerShutdownOptions,
  RemoveTaskOptions,
} from './runner/scheduler-options.js';
export type { SchedulerStatus, SchedulerState } from './runner/scheduler-status.js';
export { REQUEST_ID_TTL_MS, type RunNowOptions } from './runner/manual-runs.js';
export type { RunWrapper } from './runner/run-executor.js';
export type { SchedulerLogger } from './runner/scheduler-logger.js';
export { taskIdFromName } from './runner/task-id.js';
export type {
  Coordinator,
  TickClaim,
  ClaimOutcome,
  ClaimRefusal,
  ClusterRunRecord,
  ControlChange,
  ControlState,
  LeaseOutcome,
  AnchorProposal,
} from './runner/coordinator.js';
export { InMemoryCoordinator } from './runner/in-memory-coordinator.js';
export type { ClusterOptions } from './runner/cluster-options.js';
export type { ClusterStatus } from './runner/cluster-link.js';
export type { ClaimCounts } from './runner/tick-claimer.js';
export {
  BaseTrigger,
  type TriggerDescription,
  type TriggerPhase,
  type JsonValue,
} from './triggers/base.trigger.js';
export type {
  TriggerState,
  ChildState,
  TriggerDefaults,
  AnchorRequest,
} from './triggers/trigger-state.js';
export { LoopController } from './triggers/loop-controller.js';
export { CalendarTrigger } from './triggers/calendar-trigger.js';
export { Every, type EveryOptions } from './triggers/every.trigger.js';
export { At, type AtOptions, type AtSchedule } from './triggers/at.trigger.js';
export { Cron, type CronOptions } from './triggers/cron.trigger.js';
export { CronExpression } from './triggers/cron-expression.js';
export { Once } from './triggers/once.trigger.js';
export { Forever } from './triggers/forever.trigger.js';
export { OnStartUp } from './triggers/on-start-up.trigger.js';
export { OnShutDown } from './triggers/on-shut-down.trigger.js';
export { OrTrigger, type OrTriggerOptions } from './triggers/or.trigger.js';
export { rebuildTrigger } from './triggers/trigger-rebuild.js';
export {
  TaskSupervisor,
  JobCancelledError,
  JobTimeoutError,
  WorkerCrashedError,
  RemoteJobError,
  WaitTimeoutError,
  JobLimitError,
  SupervisorClosedError,
  ExecutorUnavailableError,
  JOB_PRIORITIES,
  type JobHandle,
  type JobStatus,
  type JobPriority,
  type ExecutorKind,
  type JobContext,
  type InlineWork,
  type WorkerWork,
  type SubmitOptions,
  type TaskSupervisorOptions,
  type PoolOptions,
  type RetentionOptions,
  type JobLimits,
  type LimitKind,
  type ShutdownOptions,
  type SupervisorStats,
  type BackgroundEvent,
  type BackgroundEventType,
  type WaitAllOptions,
} from './background/index.js';
