import type { BaseTrigger } from '../triggers/base.trigger.js';
import type { RunRecord, RunStatus } from './run-record.js';
import type { TaskContext } from './task-context.js';
import type { ResolvedPolicies, TaskPolicies } from './task-policies.js';
import type { TimerEntry } from './timer-queue.js';
import { taskIdFromName } from './task-id.js';

/** What it takes to register a task: the Nest explorer builds these, and users may by hand. */
export interface TaskDefinition {
  name: string;
  group?: string | null;
  trigger: BaseTrigger;
  handler: (context: TaskContext) => unknown;
  policies?: TaskPolicies;
  /** Where the task was declared (e.g. `PricePoller.poll`), for error messages. */
  source?: string;
}

/** Runs and fire times per outcome. */
export type RunCounters = Record<RunStatus, number>;

/**
 * The single source of truth for one task at run time: its definition, trigger, policies and
 * state. Only the scheduler mutates it; the registry reads it to build metadata.
 */
export class ScheduledTask {
  readonly id: string;
  readonly name: string;
  readonly group: string | null;
  readonly source: string;
  readonly handler: (context: TaskContext) => unknown;
  trigger: BaseTrigger;
  policies: ResolvedPolicies;

  paused = false;
  /** Runs in progress (manual ones included). */
  activeRuns = 0;
  /** True while a scheduled run of a run-end-anchored trigger is going: the next fire waits for it. */
  awaitingRunEnd = false;
  /** A fire time held back by the 'queue' overlap policy, to run when the current run ends. */
  queuedFireAt: Date | null = null;
  /** The pending wake-up in the timer queue, and the planned fire time it stands for. */
  timer: TimerEntry | null = null;
  plannedAt: number | null = null;
  /** Attempts started, over the task's life. */
  runCount = 0;
  readonly counters: RunCounters = {
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    skipped: 0,
    missed: 0,
    cancelled: 0,
  };
  lastRun: RunRecord | null = null;
  /** Set by the scheduler: called by the timer queue when the planned time comes. */
  onDue: () => void = () => {};

  constructor(definition: TaskDefinition, policies: ResolvedPolicies) {
    this.id = taskIdFromName(definition.name);
    this.name = definition.name;
    this.group = definition.group ?? null;
    this.source = definition.source ?? definition.name;
    this.handler = definition.handler;
    this.trigger = definition.trigger;
    this.policies = policies;
  }

  /** Whether the task is in its startup, scheduled or shutdown phase. */
  get phase() {
    return this.trigger.phase;
  }
}
