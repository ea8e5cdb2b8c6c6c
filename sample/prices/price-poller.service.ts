import { Injectable, Logger } from '@nestjs/common';
import { Cron, Every, OrTrigger, Task, type TaskContext } from '../../lib/index.js';
import { PriceFeed } from './price-feed.service.js';

/** Polls prices on a fixed rate and keeps the latest ones. */
@Injectable()
export class PricePoller {
  private readonly logger = new Logger(PricePoller.name);
  readonly latest = new Map<string, number>();

  constructor(private readonly feed: PriceFeed) {}

  /** Every 5 s, aligned to the first run (no drift), retried twice on a flaky feed. */
  @Task(new Every({ seconds: 5, anchor: 'start' }), {
    timeout: 2_000,
    retry: { attempts: 3, backoff: { type: 'exponential', delay: 200 } },
  })
  async poll({ signal }: TaskContext) {
    const price = await this.feed.fetchPrice('EUR');
    if (signal.aborted) return;
    this.latest.set('EUR', price);
    this.logger.log(`EUR ${price}`);
    return price;
  }

  /** Every 20 s, or on the minute: OrTrigger fires at the union of both schedules. */
  @Task(new OrTrigger([new Every({ seconds: 20 }), new Cron('0 * * * * *')]), { name: 'btc-poll' })
  async pollBitcoin() {
    const price = await this.feed.fetchPrice('BTC');
    this.latest.set('BTC', price);
    this.logger.log(`BTC ${price}`);
    return price;
  }
}
