import { Observable, Subject } from 'rxjs';
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

/** Where events go; an event nobody wants is neither built nor emitted. */
export interface EventSink {
  /** Whether any listener takes events of `type`; checked before building one. */
  wants(type: SchedulerEventType): boolean;
  next(event: SchedulerEvent): void;
}

/** The event of one type. */
export type SchedulerEventOf<T extends SchedulerEventType> = Extract<SchedulerEvent, { type: T }>;

/**
 * The scheduler's event stream: `events$` gives every event, `eventsOf` only chosen types, and it
 * counts listeners per type so that emitters build only the events someone takes (a metrics
 * listener then costs nothing for 'scheduled' and 'started', which fire on every run).
 */
export class SchedulerEventHub implements EventSink {
  private readonly subject = new Subject<SchedulerEvent>();
  /** Listeners of every type. */
  private all = 0;
  /** Listeners of chosen types, by type. */
  private readonly byType = new Map<SchedulerEventType, number>();

  /** Every event; completes with `complete()`. */
  readonly events$: Observable<SchedulerEvent> = new Observable<SchedulerEvent>((subscriber) => {
    this.all++;
    const subscription = this.subject.subscribe(subscriber);
    return () => {
      this.all--;
      subscription.unsubscribe();
    };
  });

  /** Whether anyone listens at all. */
  get observed(): boolean {
    return this.subject.observed;
  }

  wants(type: SchedulerEventType): boolean {
    return this.all > 0 || this.byType.has(type);
  }

  next(event: SchedulerEvent): void {
    this.subject.next(event);
  }

  /** Completes every stream. */
  complete(): void {
    this.subject.complete();
  }

  /** Only events of `types`; the others are not built for this listener. */
  eventsOf<T extends SchedulerEventType>(types: readonly T[]): Observable<SchedulerEventOf<T>> {
    const chosen = new Set<SchedulerEventType>(types);
    return new Observable<SchedulerEventOf<T>>((subscriber) => {
      for (const type of chosen) this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
      const subscription = this.subject.subscribe({
        next: (event) => {
          if (chosen.has(event.type)) subscriber.next(event as SchedulerEventOf<T>);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        for (const type of chosen) {
          const left = this.byType.get(type)! - 1;
          if (left === 0) this.byType.delete(type);
          else this.byType.set(type, left);
        }
      };
    });
  }
}

/** Emits an event about `task`, stamped now, if anyone wants its type. */
export function emitEvent(
  sink: EventSink,
  task: { readonly id: string; readonly name: string },
  body: EventBody,
): void {
  if (!sink.wants(body.type)) return;
  sink.next({ taskId: task.id, taskName: task.name, at: new Date(), ...body } as SchedulerEvent);
}

/**
 * Emits the outcome of a run, if anyone wants it. Built field by field, once per run, and stamped
 * with the record's `finishedAt`: the outcome is emitted as the run finishes.
 */
export function emitOutcome(
  sink: EventSink,
  task: { readonly id: string; readonly name: string },
  record: RunRecord,
): void {
  const type = record.status;
  if (!sink.wants(type)) return;
  sink.next({
    type,
    taskId: task.id,
    taskName: task.name,
    at: record.finishedAt,
    record,
  } as SchedulerEvent);
}
