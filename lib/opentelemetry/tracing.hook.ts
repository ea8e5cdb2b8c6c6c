import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  ROOT_CONTEXT,
  context,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { TaskSupervisor } from '../background/task-supervisor.js';
import type { TaskContext } from '../runner/task-context.js';
import { TaskScheduler } from '../runner/task-scheduler.js';
import { TaskRunHook } from '../task-run.hook.js';
import { JobTracer, sdkRegistered } from './job-tracer.js';
import { recordFailure } from './run-span.js';
import { SPAN_ATTRIBUTES as A, TRACER_NAME } from './span-attributes.js';

/**
 * Opens one OpenTelemetry span per run (`aioclock.task <name>`) and per background job
 * (`aioclock.job <name>`), with the task, group, run id, attempt, nominal time and, in a cluster,
 * instance id and fencing token; a failed, timed-out or aborted run ends ERROR with its exception.
 * A job submitted inside a run is a child of the run's span. Pass it as
 * `AioClockModule.forRoot({ runHook: AioClockTracingHook })`; register the SDK before bootstrap.
 */
@Injectable()
export class AioClockTracingHook extends TaskRunHook implements OnModuleInit {
  private readonly tracer = trace.getTracer(TRACER_NAME);
  private scheduler: TaskScheduler | null = null;
  private instanceId: string | null = null;
  private jobs: JobTracer | null = null;
  private sdkSeen = false;

  constructor(private readonly moduleRef: ModuleRef) {
    super();
  }

  /** Finds the scheduler (it injects this hook, so it cannot be injected here) and the supervisor. */
  onModuleInit(): void {
    const scheduler = this.moduleRef.get(TaskScheduler, { strict: false });
    this.scheduler = scheduler;
    this.instanceId = scheduler.status().cluster?.instanceId ?? null;
    // Subscribing makes the supervisor build an event per job step: only with an SDK to send to.
    if (sdkRegistered()) {
      this.jobs = new JobTracer(this.tracer, this.moduleRef.get(TaskSupervisor, { strict: false }));
      this.jobs.start();
    }
  }

  /** Runs `run` inside the run's span (or as is, without an SDK). */
  override wrap(task: TaskContext, run: () => Promise<unknown>): Promise<unknown> {
    // Until an SDK is registered, a run only asks whether one is now: nothing is allocated.
    if (!this.sdkSeen) {
      if (!sdkRegistered()) return run();
      this.sdkSeen = true;
    }
    // A scheduled run starts a trace of its own: the context active here is whatever armed the
    // timer (often a previous run). A manual run is a child of its caller's span (a request).
    const parent = task.scheduledAt === null ? context.active() : ROOT_CONTEXT;
    const span = this.tracer.startSpan(`aioclock.task ${task.taskName}`, undefined, parent);
    if (span.isRecording()) return this.traced(task, run, span, parent);
    // No SDK (nothing to propagate): run as if there were no hook.
    if (!isSpanContextValid(span.spanContext())) return run();
    // Sampled out: children must still see this span, so that they are sampled out alike.
    return context.with(trace.setSpan(parent, span), run);
  }

  private traced(
    task: TaskContext,
    run: () => Promise<unknown>,
    span: Span,
    parent: Context,
  ): Promise<unknown> {
    span.setAttributes(this.attributes(task));
    // The scheduler settles a run when its signal aborts (timeout, shutdown, removal, lost lease)
    // without waiting for the method: the span ends then too, with the reason.
    const { signal } = task;
    let ended = false;
    const end = (failed: boolean, error?: unknown) => {
      if (ended) return;
      ended = true;
      signal.removeEventListener('abort', onAbort);
      if (failed) recordFailure(span, error);
      span.end();
    };
    const onAbort = () => end(true, signal.reason);
    signal.addEventListener('abort', onAbort);
    return context.with(trace.setSpan(parent, span), run).then(
      (value) => {
        end(false);
        return value;
      },
      (error: unknown) => {
        end(true, error);
        throw error;
      },
    );
  }

  private attributes(task: TaskContext): Attributes {
    const attributes: Attributes = {
      [A.taskName]: task.taskName,
      [A.taskId]: task.taskId,
      [A.runId]: task.runId,
      [A.attempt]: task.attempt,
    };
    const group = this.groupOf(task.taskName);
    if (group !== null) attributes[A.taskGroup] = group;
    if (task.scheduledAt !== null) attributes[A.scheduledAt] = task.scheduledAt.toISOString();
    if (this.instanceId !== null) attributes[A.instanceId] = this.instanceId;
    if (task.fencingToken !== null) attributes[A.fencingToken] = task.fencingToken;
    return attributes;
  }

  private groupOf(taskName: string): string | null {
    const scheduler = this.scheduler;
    return scheduler?.has(taskName) ? scheduler.get(taskName).group : null;
  }
}
