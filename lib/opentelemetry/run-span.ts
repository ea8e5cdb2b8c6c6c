import { SpanStatusCode, type Span } from '@opentelemetry/api';

/** Marks the span failed with `error`: status ERROR with its message, and an exception event. */
export function recordFailure(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : String(error);
  span.recordException(exception);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: typeof exception === 'string' ? exception : exception.message,
  });
}
