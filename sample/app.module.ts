import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AioClockModule } from '../lib/index.js';
import { AioClockTracingHook } from '../lib/opentelemetry/index.js';
import { AioClockMetricsModule } from '../lib/prometheus/index.js';
import { AioClockDashboardModule } from '../lib/dashboard/index.js';
import { DashboardTokenGuard } from './dashboard/dashboard-token.guard.js';
import { AioClockHealthIndicator } from '../lib/terminus/index.js';
import { CacheWarmer } from './cache/cache-warmer.service.js';
import { HealthController } from './health/health.controller.js';
import { JobsController } from './jobs/jobs.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { PrimeCensus } from './jobs/prime-census.service.js';
import { PriceFeed } from './prices/price-feed.service.js';
import { PricePoller } from './prices/price-poller.service.js';
import { Reports } from './reports/reports.service.js';
import { TasksController } from './tasks/tasks.controller.js';

@Module({
  imports: [
    AioClockModule.forRoot({
      shutdownTimeout: 5_000,
      taskDefaults: { overlap: 'skip', misfire: 'runOnce' },
      supervisor: { pools: { thread: { poolSize: 2 } } },
      // A span per run and job once an OpenTelemetry SDK is registered; nothing until then.
      runHook: AioClockTracingHook,
    }),
    // The aioclock_ metrics in prom-client's global registry, served by MetricsController.
    AioClockMetricsModule.forRoot(),
    // The page at /aioclock; main.ts prints its URL with the token the guard wants.
    AioClockDashboardModule.forRoot({ path: '/aioclock', guard: DashboardTokenGuard }),
    TerminusModule.forRoot(),
  ],
  providers: [PriceFeed, PricePoller, Reports, CacheWarmer, PrimeCensus, AioClockHealthIndicator],
  controllers: [TasksController, JobsController, MetricsController, HealthController],
})
export class AppModule {}
