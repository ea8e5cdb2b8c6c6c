// nestjs-aioclock/opentelemetry: a span per run and per job (needs the optional peer `@opentelemetry/api`).
export { AioClockTracingHook } from './tracing.hook.js';
export { SPAN_ATTRIBUTES, TRACER_NAME } from './span-attributes.js';
