import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AioClockModule, JOB_PRIORITIES, TaskSupervisor } from '../../lib/index.js';
import { inputMessages } from '../common/input.pipes.js';
import { DASHBOARD_TOKEN } from '../dashboard/dashboard-token.guard.js';
import { JobsController } from './jobs.controller.js';

describe('sample JobsController, bad input', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AioClockModule.forRoot({ logger: false })],
      controllers: [JobsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  const limitRule = inputMessages.integerInRange('limit', 2, 50_000_000);
  it.each([
    [{ priority: 'urgent' }, inputMessages.oneOf('priority', JOB_PRIORITIES)],
    [{ limit: 'abc' }, limitRule],
    [{ limit: 1 }, limitRule],
    [{ limit: 2.5 }, limitRule],
    [{ limit: 50_000_001 }, limitRule],
    [{ limit: 100, priorty: 'high' }, inputMessages.unknownField('priorty', ['limit', 'priority'])],
    [[100], inputMessages.bodyNotAnObject()],
  ])('answers POST /jobs/primes with %j by 400 and the rule', async (body, message) => {
    const response = await request(app.getHttpServer())
      .post('/jobs/primes')
      .set('x-dashboard-token', DASHBOARD_TOKEN)
      .send(body)
      .expect(400);
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message });
    expect(app.get(TaskSupervisor).stats().live).toBe(0);
  });
});
