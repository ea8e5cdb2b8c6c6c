import { Module } from '@nestjs/common';
import { AioClockModule } from '../lib/index.js';
import { AioClockDashboardModule } from '../lib/dashboard/index.js';
import { DashboardTokenGuard } from './dashboard/dashboard-token.guard.js';
import { CacheWarmer } from './cache/cache-warmer.service.js';
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
    // The page at /aioclock; main.ts prints its URL with the token the guard wants.
    AioClockDashboardModule.forRoot({ path: '/aioclock', guard: DashboardTokenGuard }),
  ],
  providers: [PriceFeed, PricePoller, Reports, CacheWarmer, PrimeCensus],
  controllers: [TasksController, JobsController],
})
export class AppModule {}
