// The README's "Testing your tasks" example, run as part of the suite (the README imports from
// 'nestjs-aioclock' instead of '../../lib/index.js').
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { AioClockModule, TaskRegistry } from '../../lib/index.js';
import { PriceFeed } from './price-feed.service.js';
import { PricePoller } from './price-poller.service.js';

describe('PricePoller', () => {
  let app: TestingModule;
  let registry: TaskRegistry;
  const fetchPrice = jest.fn(async (symbol: string) => (symbol === 'BTC' ? 50_000 : 1.08));

  // A module per test: each one schedules from scratch, as if it were the first.
  beforeEach(async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    fetchPrice.mockClear();
    app = await Test.createTestingModule({
      imports: [AioClockModule.forRoot({ logger: false })],
      providers: [PriceFeed, PricePoller],
    })
      .overrideProvider(PriceFeed)
      .useValue({ fetchPrice })
      .compile();
    await app.init(); // tasks start here, planned from the fake clock's "now"
    registry = app.get(TaskRegistry);
  });

  afterEach(async () => {
    await app.close(); // drains runs and clears the scheduler's timers
    jest.useRealTimers();
  });

  it('polls EUR every 5 s', async () => {
    await jest.advanceTimersByTimeAsync(15_000);
    expect(registry.getTask('PricePoller.poll').counters.succeeded).toBe(3);
    expect(app.get(PricePoller).latest.get('EUR')).toBe(1.08);
  });

  it('retries a failed poll 200 ms later', async () => {
    fetchPrice.mockRejectedValueOnce(new Error('feed down'));
    await jest.advanceTimersByTimeAsync(5_200);
    const [latest] = await registry.getHistory('PricePoller.poll', { limit: 1 });
    expect(latest).toMatchObject({ status: 'succeeded', attempt: 2, result: '1.08' });
  });
});

describe('PricePoller, registered but not scheduled', () => {
  it('runs on demand', async () => {
    const app = await Test.createTestingModule({
      imports: [AioClockModule.forRoot({ enabled: false, logger: false })],
      providers: [PriceFeed, PricePoller],
    })
      .overrideProvider(PriceFeed)
      .useValue({ fetchPrice: async () => 50_000 })
      .compile();
    await app.init();
    const registry = app.get(TaskRegistry);
    expect(registry.getTask('btc-poll').nextRunAt).toBeNull();
    await expect(registry.runTask('btc-poll')).resolves.toBe(50_000);
    await app.close();
  });
});
