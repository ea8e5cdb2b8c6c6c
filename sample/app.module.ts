import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AioClockModule } from '../lib/index.js';
import { AioClockHealthIndicator } from '../lib/terminus/index.js';
import { CacheWarmer } from './cache/cache-warmer.service.js';
import { HealthController } from './health/health.controller.js';
import { JobsController } from './jobs/jobs.controller.js';
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
    }),
    TerminusModule.forRoot(),
  ],
  providers: [PriceFeed, PricePoller, Reports, CacheWarmer, PrimeCensus, AioClockHealthIndicator],
  controllers: [TasksController, JobsController, HealthController],
})
export class AppModule {}
