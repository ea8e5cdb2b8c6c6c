import type { TriggerDescription } from '../triggers/base.trigger.js';
import type { RunRecord } from './run-record.js';

/** What every event says: which task, and when. */
export interface TaskEventBase {
  taskId: string;
  taskName: string;
  at: Date;
}

/** The common part of an event about `task`, stamped now. */
export function eventBase(task: { readonly id: string; readonly name: string }): TaskEventBase {
  return { taskId: task.id, taskName: task.name, at: new Date() };
}

/** Every event `events$` emits, discriminated by `type`. */
export type SchedulerEvent =
  | (TaskEventBase & { type: 'scheduled'; nextRunAt: Date })
  | (TaskEventBase & { type: 'started'; runId: string; scheduledAt: Date | null; attempt: number })
  | (TaskEventBase & { type: 'succeeded'; record: RunRecord })
  | (TaskEventBase & { type: 'failed'; record: RunRecord })
  | (TaskEventBase & { type: 'timedOut'; record: RunRecord })
  | (TaskEventBase & { type: 'cancelled'; record: RunRecord })
  | (TaskEventBase & { type: 'skipped'; record: RunRecord })
  | (TaskEventBase & { type: 'missed'; record: RunRecord })
  | (TaskEventBase & { type: 'retrying'; attempt: number; delayMs: number; error: string })
  | (TaskEventBase & { type: 'paused' })
  | (TaskEventBase & { type: 'resumed' })
  | (TaskEventBase & { type: 'rescheduled'; trigger: TriggerDescription });

/** The names of the events. */
export type SchedulerEventType = SchedulerEvent['type'];
