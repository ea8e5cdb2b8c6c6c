import type { DynamicModule, Type } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import type { TaskRunHook } from '../../lib/index.js';
import { AioClockTracingHook } from '../../lib/opentelemetry/index.js';
import { AioClockMetricsModule } from '../../lib/prometheus/index.js';

/**
 * What the observability rows turn on:
 * - off: neither integration (the plain `ours` column);
 * - metrics: AioClockMetricsModule on its own Registry;
 * - tracing: AioClockTracingHook with no SDK registered (the API's no-op tracer);
 * - both: metrics + tracing hook, no SDK;
 * - both-sampled-out: + an SDK (BasicTracerProvider, AsyncLocalStorage context manager) whose
 *   sampler records nothing: spans are made and propagated, never recorded;
 * - both-recording: + the same SDK recording every run, batched to an exporter that drops them.
 */
export type ObserveMode =
  'off' | 'metrics' | 'tracing' | 'both' | 'both-sampled-out' | 'both-recording';

/** A span exporter that accepts and forgets: the cost measured is ours and the SDK's, not a wire's. */
const droppingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

/** Registers the SDK a mode needs (before the app boots), and says what the module gets. */
export function setUpObservability(mode: ObserveMode): {
  imports: DynamicModule[];
  runHook?: Type<TaskRunHook>;
} {
  if (mode === 'both-sampled-out' || mode === 'both-recording') {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({
        sampler: mode === 'both-recording' ? new AlwaysOnSampler() : new AlwaysOffSampler(),
        spanProcessors: [new BatchSpanProcessor(droppingExporter)],
      }),
    );
  }
  const metrics = mode !== 'off' && mode !== 'tracing';
  const tracing = mode !== 'off' && mode !== 'metrics';
  return {
    imports: metrics ? [AioClockMetricsModule.forRoot({ registry: new Registry() })] : [],
    runHook: tracing ? AioClockTracingHook : undefined,
  };
}
