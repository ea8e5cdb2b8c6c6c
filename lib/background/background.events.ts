import { Observable, Subject } from 'rxjs';
import type {
  JobCancelledError,
  JobLimitError,
  JobTimeoutError,
  LimitKind,
} from './background.errors.js';
import type { JobHandle, JobStatus } from './job.interface.js';

/** A job was accepted; emitted before it is queued, delayed or started. */
export interface JobSubmittedEvent {
  type: 'submitted';
  job: JobHandle;
}
/** A job took a slot and began running. */
export interface JobStartedEvent {
  type: 'started';
  job: JobHandle;
}
/** A job returned a value. */
export interface JobSucceededEvent {
  type: 'succeeded';
  job: JobHandle;
  value: unknown;
}
/** A job threw, rejected or lost its worker. */
export interface JobFailedEvent {
  type: 'failed';
  job: JobHandle;
  error: unknown;
}
/** A job was cancelled, whether queued, delayed or running. */
export interface JobCancelledEvent {
  type: 'cancelled';
  job: JobHandle;
  error: JobCancelledError;
}
/** A job ran past its timeout and was aborted. */
export interface JobTimedOutEvent {
  type: 'timedOut';
  job: JobHandle;
  error: JobTimeoutError;
}
/** A job reached a terminal state; always the job's last event. */
export interface JobDoneEvent {
  type: 'done';
  job: JobHandle;
}
/** A submission was refused by a limit; no job was created. */
export interface JobLimitedEvent {
  type: 'limited';
  name: string;
  limit: LimitKind;
  error: JobLimitError;
}
/** The supervisor accepted its first job. */
export interface SupervisorStartEvent {
  type: 'start';
}
/** Nothing is queued, delayed or running any more: when `whenIdle()` resolves. */
export interface SupervisorIdleEvent {
  type: 'idle';
}
/** Shutdown finished and the pools are gone; the stream completes after this. */
export interface SupervisorStopEvent {
  type: 'stop';
}

/** Everything `TaskSupervisor.events$` emits, discriminated by `type`. */
export type BackgroundEvent =
  | JobSubmittedEvent
  | JobStartedEvent
  | JobSucceededEvent
  | JobFailedEvent
  | JobCancelledEvent
  | JobTimedOutEvent
  | JobDoneEvent
  | JobLimitedEvent
  | SupervisorStartEvent
  | SupervisorIdleEvent
  | SupervisorStopEvent;

/** The event types, for filtering. */
export type BackgroundEventType = BackgroundEvent['type'];

/** A Subject that callers check with `active` before building an event, so that nobody listening costs nothing. */
export class BackgroundEventBus {
  private readonly subject = new Subject<BackgroundEvent>();
  /** The public, read-only stream. */
  readonly events$: Observable<BackgroundEvent> = this.subject.asObservable();

  /** True when someone subscribes; check it before allocating an event. */
  get active(): boolean {
    return this.subject.observed;
  }

  emit(event: BackgroundEvent): void {
    this.subject.next(event);
  }

  /** A finished job's outcome, as an event named by its terminal status, then its `done`. */
  emitOutcome(job: JobHandle, status: JobStatus, outcome: unknown): void {
    switch (status) {
      case 'succeeded':
        this.emit({ type: 'succeeded', job, value: outcome });
        break;
      case 'failed':
        this.emit({ type: 'failed', job, error: outcome });
        break;
      case 'cancelled':
        this.emit({ type: 'cancelled', job, error: outcome as JobCancelledError });
        break;
      default:
        this.emit({ type: 'timedOut', job, error: outcome as JobTimeoutError });
    }
    this.emit({ type: 'done', job });
  }

  complete(): void {
    this.subject.complete();
  }
}
