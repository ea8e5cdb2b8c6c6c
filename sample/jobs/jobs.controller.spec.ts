import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AioClockModule } from '../../lib/index.js';
import { JobsController } from './jobs.controller.js';

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

  it('answers 404 for an unknown job', async () => {
    await request(app.getHttpServer()).get('/jobs/job-999999').expect(404);
  });
});
