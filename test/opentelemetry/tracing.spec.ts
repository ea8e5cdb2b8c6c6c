import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import {
  Cron,
  Every,
  InMemoryCoordinator,
  Task,
  TaskGroup,
  TaskRegistry,
  TaskSupervisor,
  type AioClockModuleOptions,
  type TaskContext,
} from '../../lib/index.js';
import { AioClockTracingHook, SPAN_ATTRIBUTES as A } from '../../lib/opentelemetry/index.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { T0 } from '../fixtures/fake-clock.js';

let exporter: InMemorySpanExporter;
let contextManager: AsyncLocalStorageContextManager;

/** Registers an SDK that keeps finished spans in memory, as an app's tracing setup would. */
function registerSdk(sampler?: Sampler): void {
  exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
}

function unregisterSdk(): void {
  trace.disable();
  context.disable();
}

async function tracedApp(
  providers: Parameters<typeof createApp>[0],
  options: AioClockModuleOptions = {},
) {
  const { app } = await createApp(providers, { ...options, runHook: AioClockTracingHook } as never);
  return app;
}

function spansNamed(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name === name);
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

@TaskGroup('billing')
@Injectable()
class Billing {
  constructor(private readonly supervisor: TaskSupervisor) {}

  /** Succeeds after a job it submits, and a job that fails. */
  @Task(new Every({ seconds: 10 }), { name: 'invoice' })
  async invoice() {
    await sleep(10);
    const ok = this.supervisor.submit(async () => 'sent', { name: 'send-mail', priority: 'high' });
    const broken = this.supervisor.submit(
      async () => {
        throw new Error('smtp down');
      },
      { name: 'notify' },
    );
    await Promise.allSettled([ok.result, broken.result]);
  }

  @Task(new Every({ seconds: 10 }), { name: 'reconcile' })
  reconcile(context: TaskContext) {
    throw new Error(`ledger mismatch on attempt ${context.attempt}`);
  }

  @Task(new Every({ seconds: 10 }), { name: 'stuck', timeout: 500 })
  async stuck() {
    await new Promise(() => {});
  }
}

describe('AioClockTracingHook with an SDK', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    registerSdk();
  });
  afterEach(() => {
    unregisterSdk();
    jest.useRealTimers();
  });

  it('opens one root span per scheduled run with the task, group, run id, attempt and nominal time', async () => {
    const app = await tracedApp([Billing]);
    await jest.advanceTimersByTimeAsync(10_100);
    const [span] = spansNamed('aioclock.task invoice');
    expect(spansNamed('aioclock.task invoice')).toHaveLength(1);
    const task = app.get(TaskRegistry).getTask('invoice');
    const [record] = await app.get(TaskRegistry).getHistory('invoice');
    expect(span.attributes).toEqual({
      [A.taskName]: 'invoice',
      [A.taskId]: task.id,
      [A.taskGroup]: 'billing',
      [A.runId]: record.runId,
      [A.attempt]: 1,
      [A.scheduledAt]: new Date(T0 + 10_000).toISOString(),
    });
    expect(parentOf(span)).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    await closeUnderFakeTimers(app);
  });

  it('makes the jobs a run submits children of its span, and records a failed job', async () => {
    const app = await tracedApp([Billing]);
    await jest.advanceTimersByTimeAsync(10_100);
    const [run] = spansNamed('aioclock.task invoice');
    const [mail] = spansNamed('aioclock.job send-mail');
    const [notify] = spansNamed('aioclock.job notify');
    expect(parentOf(mail)).toBe(run.spanContext().spanId);
    expect(mail.spanContext().traceId).toBe(run.spanContext().traceId);
    expect(parentOf(notify)).toBe(run.spanContext().spanId);
    expect(mail.attributes).toMatchObject({
      [A.jobName]: 'send-mail',
      [A.jobExecutor]: 'inline',
      [A.jobPriority]: 'high',
      [A.jobStatus]: 'succeeded',
    });
    expect(mail.events.map((event) => event.name)).toEqual(['started']);
    expect(notify.status).toEqual({ code: SpanStatusCode.ERROR, message: 'smtp down' });
    expect(notify.events.map((event) => event.name)).toEqual(['started', 'exception']);
    await closeUnderFakeTimers(app);
  });

  it('records a failed run as ERROR with an exception event, one span per attempt', async () => {
    const app = await tracedApp([Billing]);
    await jest.advanceTimersByTimeAsync(10_100);
    const [span] = spansNamed('aioclock.task reconcile');
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'ledger mismatch on attempt 1',
    });
    const exception = span.events.find((event) => event.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'ledger mismatch on attempt 1',
    });
    await closeUnderFakeTimers(app);
  });

  it('ends the span of a run that times out when it times out, with the timeout error', async () => {
    const app = await tracedApp([Billing]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(spansNamed('aioclock.task stuck')).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(500);
    const [span] = spansNamed('aioclock.task stuck');
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'Task "stuck" timed out after 500 ms',
    });
    await closeUnderFakeTimers(app);
  });

  it("makes a manual run a child of the caller's span", async () => {
    const app = await tracedApp([Billing]);
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('GET /tasks/invoice/run');
    await context.with(trace.setSpan(context.active(), request), async () => {
      const running = app.get(TaskRegistry).runTask('invoice');
      await jest.advanceTimersByTimeAsync(100);
      await running;
    });
    request.end();
    const [run] = spansNamed('aioclock.task invoice');
    expect(parentOf(run)).toBe(request.spanContext().spanId);
    expect(run.attributes[A.scheduledAt]).toBeUndefined();
    await closeUnderFakeTimers(app);
  });

  it('in a cluster, adds the instance id and the fencing token', async () => {
    @Injectable()
    class Secondly {
      @Task(new Cron('* * * * * *'), { name: 'secondly' })
      tick() {}
    }
    const app = await tracedApp([Secondly], {
      timeZone: 'UTC',
      cluster: { coordinator: new InMemoryCoordinator(), instanceId: 'replica-a' },
    });
    await jest.advanceTimersByTimeAsync(2_100);
    const spans = spansNamed('aioclock.task secondly');
    expect(spans.map((span) => span.attributes[A.instanceId])).toEqual(['replica-a', 'replica-a']);
    expect(spans.map((span) => span.attributes[A.fencingToken])).toEqual([1, 2]);
    await closeUnderFakeTimers(app);
  });
});

describe('AioClockTracingHook without recording', () => {
  afterEach(() => {
    unregisterSdk();
    jest.useRealTimers();
  });

  it("makes a sampled-out run's span active in the run, and exports nothing", async () => {
    jest.useFakeTimers({ now: T0 });
    registerSdk(new AlwaysOffSampler());
    const seen: { traceId: string; sampled: boolean }[] = [];
    @Injectable()
    class Probe {
      @Task(new Every({ seconds: 1 }), { name: 'probe' })
      probe() {
        const span = trace.getSpan(context.active());
        seen.push({
          traceId: span?.spanContext().traceId ?? 'none',
          sampled: span?.isRecording() ?? false,
        });
      }
    }
    const app = await tracedApp([Probe]);
    await jest.advanceTimersByTimeAsync(1_100);
    expect(seen).toEqual([{ traceId: expect.stringMatching(/^[0-9a-f]{32}$/), sampled: false }]);
    expect(exporter.getFinishedSpans()).toEqual([]);
    await closeUnderFakeTimers(app);
  });

  it('with no SDK registered, runs tasks and jobs unchanged and makes no span', async () => {
    jest.useFakeTimers({ now: T0 });
    let active: unknown = 'unset';
    @Injectable()
    class Plain {
      constructor(private readonly supervisor: TaskSupervisor) {}
      @Task(new Every({ seconds: 1 }), { name: 'plain' })
      async plain() {
        active = trace.getSpan(context.active());
        return this.supervisor.submit(async () => 42).result;
      }
    }
    const app = await tracedApp([Plain]);
    await jest.advanceTimersByTimeAsync(1_100);
    expect(active).toBeUndefined();
    expect(app.get(TaskRegistry).getTask('plain').counters.succeeded).toBe(1);
    await closeUnderFakeTimers(app);
  });
});
