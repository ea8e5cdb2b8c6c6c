import { Injectable } from '@nestjs/common';

/** Stands in for an exchange API; tests replace it with overrideProvider. */
@Injectable()
export class PriceFeed {
  private last = 100;

  async fetchPrice(symbol: string): Promise<number> {
    this.last = Math.round((this.last + (Math.random() - 0.5) * 2) * 100) / 100;
    return symbol === 'BTC' ? this.last * 1_000 : this.last;
  }
}
