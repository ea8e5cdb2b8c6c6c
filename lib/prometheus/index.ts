// nestjs-aioclock/prometheus: Prometheus metrics (needs the optional peer `prom-client`).
export { AioClockMetricsModule } from './metrics.module.js';
export { AioClockMetrics } from './metrics.service.js';
export {
  DEFAULT_BUCKETS,
  type AioClockMetricsOptions,
  type MetricBuckets,
} from './metrics.options.js';
export { prometheusMessages } from './prometheus.messages.js';
