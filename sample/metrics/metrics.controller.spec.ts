import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { TaskRegistry } from '../../lib/index.js';
import { AppModule } from '../app.module.js';
import { PriceFeed } from '../prices/price-feed.service.js';

describe('sample GET /metrics', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(PriceFeed)
      .useValue({ fetchPrice: async () => 50_000 })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('lists the aioclock_ series with values, in the Prometheus text format', async () => {
    await app.get(TaskRegistry).runTask('btc-poll');
    const response = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toContain('# TYPE aioclock_runs_total counter');
    expect(response.text).toMatch(
      /^aioclock_runs_total\{task="btc-poll",status="succeeded"\} [1-9]/m,
    );
    expect(response.text).toMatch(/^aioclock_run_duration_seconds_count\{task="btc-poll"\} [1-9]/m);
    expect(response.text).toMatch(
      /^aioclock_next_fire_timestamp_seconds\{task="reports.nightly"\} \d+/m,
    );
    expect(response.text).toMatch(/^aioclock_jobs_queued\{executor="thread"\} \d+$/m);
  });
});
