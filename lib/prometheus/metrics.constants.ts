/** Injection token of the options of `AioClockMetricsModule.forRoot`. */
export const AIOCLOCK_METRICS_OPTIONS = Symbol('AIOCLOCK_METRICS_OPTIONS');
