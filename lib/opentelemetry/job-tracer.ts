import { ProxyTracerProvider, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Subscription } from 'rxjs';
import type { BackgroundEvent } from '../background/background.events.js';
import type { JobHandle } from '../background/job.interface.js';
import type { TaskSupervisor } from '../background/task-supervisor.js';
import { recordFailure } from './run-span.js';
import { SPAN_ATTRIBUTES as A, TRACER_NAME } from './span-attributes.js';

/** Whether a tracer provider (an SDK) was registered globally: else every span is a no-op. */
export function sdkRegistered(): boolean {
  const provider = trace.getTracerProvider();
  // Another copy of the API answers with its own classes: assume an SDK rather than trace nothing.
  if (!(provider instanceof ProxyTracerProvider)) return true;
  return provider.getDelegateTracer(TRACER_NAME) !== undefined;
}

/**
 * One span per background job, from submission to outcome, with a `started` event when it leaves
 * the queue. The supervisor emits `submitted` synchronously inside `submit()`, so the context
 * active there (a run's span) becomes the job span's parent.
 */
export class JobTracer {
  private readonly open = new Map<JobHandle, Span>();
  private subscription: Subscription | null = null;

  constructor(
    private readonly tracer: Tracer,
    private readonly supervisor: TaskSupervisor,
  ) {}

  /** Starts a span for each job submitted from now on. */
  start(): void {
    this.subscription ??= this.supervisor.events$.subscribe({
      next: this.onEvent,
      // The stream completes as shutdown begins: jobs still open end their span then.
      complete: () => this.endAll(),
    });
  }

  private readonly onEvent = (event: BackgroundEvent): void => {
    switch (event.type) {
      case 'submitted':
        this.open.set(event.job, this.startSpan(event.job));
        break;
      case 'started':
        this.open.get(event.job)?.addEvent('started');
        break;
      case 'failed':
      case 'cancelled':
      case 'timedOut':
        this.end(event.job, true, event.error);
        break;
      case 'succeeded':
        this.end(event.job, false);
        break;
    }
  };

  private startSpan(job: JobHandle): Span {
    return this.tracer.startSpan(
      `aioclock.job ${job.name}`,
      {
        attributes: {
          [A.jobId]: job.id,
          [A.jobName]: job.name,
          [A.jobExecutor]: job.executor,
          [A.jobPriority]: job.priority,
        },
      },
      context.active(),
    );
  }

  private end(job: JobHandle, failed: boolean, error?: unknown): void {
    const span = this.open.get(job);
    if (span === undefined) return;
    this.open.delete(job);
    span.setAttribute(A.jobStatus, job.status);
    if (failed) recordFailure(span, error);
    span.end();
  }

  private endAll(): void {
    for (const [job, span] of this.open) {
      span.setAttribute(A.jobStatus, job.status);
      span.addEvent('shutdown');
      span.end();
    }
    this.open.clear();
  }
}
