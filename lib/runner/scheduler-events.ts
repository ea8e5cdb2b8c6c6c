import type { TriggerDescription } from '../triggers/base.trigger.js';
import type { RunRecord } from './run-record.js';

/** What every event says: which task, and when. */
export interface TaskEventBase {
  taskId: string;
  taskName: string;
  at: Date;
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
  | (TaskEventBase & { type: 'removed' })
  | (TaskEventBase & { type: 'rescheduled'; trigger: TriggerDescription });

/** The names of the events. */
export type SchedulerEventType = SchedulerEvent['type'];

/** An event as its emitter builds it: without the fields every event shares. */
export type EventBody = SchedulerEvent extends infer E
  ? E extends unknown
    ? Omit<E, keyof TaskEventBase>
    : never
  : never;

/** Where events go; building and emitting are skipped while nobody listens. */
export interface EventSink {
  readonly observed: boolean;
  next(event: SchedulerEvent): void;
}

/** Emits an event about `task`, stamped now, if anyone listens. */
export function emitEvent(
  sink: EventSink,
  task: { readonly id: string; readonly name: string },
  body: EventBody,
): void {
  if (!sink.observed) return;
  sink.next({ taskId: task.id, taskName: task.name, at: new Date(), ...body } as SchedulerEvent);
}
