import type { RunRecord, RunStatus } from '../runner/run-record.js';
import type { SchedulerEvent } from '../runner/scheduler-events.js';
import type { TaskMetadata } from '../runner/task-metadata.js';
import type { SchedulerStatus } from '../runner/scheduler-status.js';
import type { JobsView } from './job-tracker.js';
import { describeTrigger } from './trigger-describer.js';

/** What a task is doing, in one word. */
export type TaskState = 'running' | 'paused' | 'idle' | 'exhausted';

/** A task's metadata plus what the page shows of it in words. */
export interface TaskView extends TaskMetadata {
  triggerText: string;
  state: TaskState;
}

/** One bar of the timeline: a run (start to end) or a fire that did not run (a tick at `end`). */
export interface TimelineRun {
  runId: string;
  start: number | null;
  end: number;
  status: RunStatus;
  origin: RunRecord['origin'];
  attempt: number;
  instanceId: string | null;
  /** Runs merged into this bar (same status, too close to tell apart); absent for one. */
  count?: number;
}

/** Recent runs per task within `[from, to]` (epoch ms). */
export interface TimelineView {
  from: number;
  to: number;
  rows: { taskId: string; taskName: string; runs: TimelineRun[] }[];
}

/** Everything the main page shows, in one response. */
export interface OverviewView {
  generatedAt: Date;
  status: SchedulerStatus;
  tasks: TaskView[];
  timeline: TimelineView;
  /** Null when no TaskSupervisor is available. */
  jobs: JobsView | null;
}

/** One task's page: its view, history (newest first) and next fire times. */
export interface TaskDetailView {
  task: TaskView;
  history: RunRecord[];
  /** The next nominal fire times (`registry.getUpcoming`); empty when paused or exhausted. */
  upcoming: Date[];
}

/**
 * What the event stream sends, at most once per interval, about the scheduler events since the
 * last message: the tasks they touched, and the state the last one implies where it implies one.
 */
export interface LiveTaskBatch {
  /** Scheduler events the batch stands for. */
  events: number;
  /** Names of the tasks they touched. */
  tasks: string[];
  /** The state a task's last event implies ('removed' for a removed task); others wait for a refetch. */
  states: Record<string, TaskState | 'removed'>;
}

/** The state word of a task: running wins, then paused; a spent loop budget is exhausted. */
export function taskState(task: TaskMetadata): TaskState {
  if (task.running) return 'running';
  if (task.paused) return 'paused';
  const max = task.trigger.maxLoopCount;
  if (typeof max === 'number' && task.loopCount >= max) return 'exhausted';
  return 'idle';
}

/** The view of one task. */
export function toTaskView(task: TaskMetadata): TaskView {
  return {
    ...task,
    triggerText: describeTrigger(task.trigger, task.timeZone),
    state: taskState(task),
  };
}

/** A history record as a timeline bar, or null when it ended before the window. */
export function toTimelineRun(record: RunRecord, from: number): TimelineRun | null {
  const end = new Date(record.finishedAt).getTime();
  if (end < from) return null;
  return {
    runId: record.runId,
    start: record.startedAt === null ? null : new Date(record.startedAt).getTime(),
    end,
    status: record.status,
    origin: record.origin,
    attempt: record.attempt,
    instanceId: record.instanceId ?? null,
  };
}

const IMPLIED_STATES: Partial<Record<SchedulerEvent['type'], TaskState | 'removed'>> = {
  started: 'running',
  paused: 'paused',
  resumed: 'idle',
  removed: 'removed',
};

/** Sums up a burst of scheduler events as one stream message. */
export function toLiveTaskBatch(events: readonly SchedulerEvent[]): LiveTaskBatch {
  const states: LiveTaskBatch['states'] = {};
  const tasks = new Set<string>();
  for (const event of events) {
    tasks.add(event.taskName);
    const state = IMPLIED_STATES[event.type];
    if (state !== undefined) states[event.taskName] = state;
    // A run that ended leaves the state to the refetch (idle, paused or exhausted).
    else delete states[event.taskName];
  }
  return { events: events.length, tasks: [...tasks], states };
}
