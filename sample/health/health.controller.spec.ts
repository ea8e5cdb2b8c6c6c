import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { TaskRegistry } from '../../lib/index.js';
import { AppModule } from '../app.module.js';
import { PriceFeed } from '../prices/price-feed.service.js';

describe('sample GET /health and GET /tasks/:name/upcoming', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(PriceFeed)
      .useValue({ fetchPrice: async () => 1 })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers 200 in the terminus format while the scheduler runs', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: { scheduler: { status: 'up', state: 'running', overdue: [] } },
    });
  });

  it('lists the next fire times of the nightly report', async () => {
    const response = await request(app.getHttpServer())
      .get('/tasks/reports.nightly/upcoming?count=3')
      .expect(200);
    const times = (response.body as string[]).map((at) => new Date(at).getTime());
    expect(times).toHaveLength(3);
    expect(times[0]).toBe(app.get(TaskRegistry).getTask('reports.nightly').nextRunAt?.getTime());
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(23 * 3_600_000);
    await request(app.getHttpServer()).get('/tasks/reports.nightly/upcoming?count=0').expect(400);
    await request(app.getHttpServer()).get('/tasks/nope/upcoming').expect(404);
  });

  it('answers 503 once the app shuts down, the details saying the scheduler stopped', async () => {
    await app.close();
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      status: 'shutting_down', // terminus' word once Nest shuts down
      error: { scheduler: { status: 'down', state: 'stopped' } },
    });
  });
});
