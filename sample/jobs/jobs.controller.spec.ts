import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AioClockModule, TaskSupervisor } from '../../lib/index.js';
import { DASHBOARD_TOKEN } from '../dashboard/dashboard-token.guard.js';
import { JobsController } from './jobs.controller.js';

/** The header a script sends to pass the sample's token guard. */
const TOKEN_HEADER = 'x-dashboard-token';

describe('sample JobsController over HTTP', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AioClockModule.forRoot({
          logger: false,
          supervisor: { pools: { thread: { poolSize: 1 } } },
        }),
      ],
      controllers: [JobsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('submits a thread job, answers at once, and reports its result when done', async () => {
    const submitted = await request(app.getHttpServer())
      .post('/jobs/primes')
      .set(TOKEN_HEADER, DASHBOARD_TOKEN)
      .send({ limit: 100 })
      .expect(201);
    expect(submitted.body).toMatchObject({
      name: 'primes',
      executor: 'thread',
      priority: 'normal',
    });
    expect(['queued', 'started']).toContain(submitted.body.status);
    let body = submitted.body;
    for (let tries = 0; tries < 200 && body.status !== 'succeeded'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      body = (await request(app.getHttpServer()).get(`/jobs/${submitted.body.id}`).expect(200))
        .body;
    }
    expect(body).toMatchObject({ status: 'succeeded', result: 25, error: null });
  });

  it('refuses to submit without the dashboard token, and starts nothing', async () => {
    // A job this size would still be running when the answer comes, had it been submitted.
    const big = { limit: 50_000_000 };
    const wrong = await request(app.getHttpServer())
      .post('/jobs/primes')
      .set(TOKEN_HEADER, 'wrong')
      .send(big)
      .expect(401);
    expect(wrong.body.message).toContain('token');
    await request(app.getHttpServer()).post('/jobs/primes').send(big).expect(401);
    expect(app.get(TaskSupervisor).stats().live).toBe(0);
  });

  it('answers 404 for an unknown job', async () => {
    await request(app.getHttpServer()).get('/jobs/job-999999').expect(404);
  });
});
