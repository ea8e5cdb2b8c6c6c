import { Module } from '@nestjs/common';
import { AioClockModule } from '../lib/index.js';
import { CacheWarmer } from './cache/cache-warmer.service.js';
import { PriceFeed } from './prices/price-feed.service.js';
import { PricePoller } from './prices/price-poller.service.js';
import { Reports } from './reports/reports.service.js';
import { TasksController } from './tasks/tasks.controller.js';

@Module({
  imports: [
    AioClockModule.forRoot({
      shutdownTimeout: 5_000,
      taskDefaults: { overlap: 'skip', misfire: 'runOnce' },
    }),
  ],
  providers: [PriceFeed, PricePoller, Reports, CacheWarmer],
  controllers: [TasksController],
})
export class AppModule {}
