import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AioClockModule } from '../../lib/index.js';
import { inputMessages } from '../common/input.pipes.js';
import { DASHBOARD_TOKEN } from '../dashboard/dashboard-token.guard.js';
import { Reports } from '../reports/reports.service.js';
import { TasksController } from './tasks.controller.js';

describe('sample TasksController, bad input', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AioClockModule.forRoot({ logger: false, enabled: false })],
      providers: [Reports],
      controllers: [TasksController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it.each(['0', 'abc', '1.5', '', '1001', '5&limit=6'])(
    'answers GET /tasks/:name/history?limit=%s with 400 and the rule',
    async (limit) => {
      const response = await request(app.getHttpServer())
        .get(`/tasks/reports.nightly/history?limit=${limit}`)
        .expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: inputMessages.integerInRange('limit', 1, 1_000),
      });
    },
  );

  it('accepts a limit in range, and none', async () => {
    await request(app.getHttpServer())
      .post('/tasks/reports.nightly/run')
      .set('x-dashboard-token', DASHBOARD_TOKEN)
      .expect(200);
    const one = await request(app.getHttpServer())
      .get('/tasks/reports.nightly/history?limit=1')
      .expect(200);
    expect(one.body).toHaveLength(1);
    await request(app.getHttpServer()).get('/tasks/reports.nightly/history').expect(200);
  });
});
