import { Module } from '@nestjs/common';
import { AioClockModule } from '../lib/index.js';
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
  ],
  providers: [PriceFeed, PricePoller, Reports, CacheWarmer, PrimeCensus],
  controllers: [TasksController, JobsController],
})
export class AppModule {}
