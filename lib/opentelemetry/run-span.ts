import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { describeError } from '../runner/run-record.js';

/** Marks the span failed with `error`: status ERROR with its message, and an exception event. */
export function recordFailure(span: Span, error: unknown): void {
  // describeError: a thrown value's message or name may be missing, odd or throw when read.
  const { message } = describeError(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
