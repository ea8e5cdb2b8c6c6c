import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AioClockMetrics } from '../../lib/prometheus/index.js';

/** `GET /metrics`: the Prometheus scrape endpoint (the `aioclock_` series and any of the app's own). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: AioClockMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
