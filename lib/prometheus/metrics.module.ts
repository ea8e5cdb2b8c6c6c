import { Module, type DynamicModule } from '@nestjs/common';
import { AIOCLOCK_METRICS_OPTIONS } from './metrics.constants.js';
import { validateMetricsOptions, type AioClockMetricsOptions } from './metrics.options.js';
import { AioClockMetrics } from './metrics.service.js';

/**
 * Prometheus metrics of the scheduler and background jobs (prom-client). Import it next to
 * `AioClockModule` (global by default); serve `AioClockMetrics.registry.metrics()` at `/metrics`.
 */
@Module({})
export class AioClockMetricsModule {
  /** Registers the metrics into `registry` (default prom-client's global one) at bootstrap. */
  static forRoot(options: AioClockMetricsOptions = {}): DynamicModule {
    validateMetricsOptions(options);
    return {
      module: AioClockMetricsModule,
      providers: [{ provide: AIOCLOCK_METRICS_OPTIONS, useValue: options }, AioClockMetrics],
      exports: [AioClockMetrics],
    };
  }
}
