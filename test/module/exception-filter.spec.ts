import { describe, it, expect, afterEach } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  Param,
  Post,
  Query,
  UseFilters,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AioClockExceptionFilter,
  AioClockModule,
  Cron,
  TaskRegistry,
  Task,
  TaskNotFoundError,
} from '../../lib/index.js';
import { messages } from '../../lib/errors.js';
import { sleep } from '../fixtures/testing-module.js';

@Injectable()
class Billing {
  @Task(new Cron('0 0 1 1 *', { tz: 'UTC' }), { name: 'charge' })
  async charge() {
    await sleep(300);
  }
}

/** A controller as users write them: it hands the registry what the request says. */
@Controller('tasks')
class TasksController {
  constructor(private readonly registry: TaskRegistry) {}

  @Get(':name')
  get(@Param('name') name: string) {
    return this.registry.getTask(name);
  }

  @Get(':name/history')
  history(@Param('name') name: string, @Query('limit') limit: string) {
    return this.registry.getHistory(name, { limit: Number(limit) });
  }

  @Post(':name/run')
  run(@Param('name') name: string, @Query('requestId') requestId?: string) {
    return this.registry.runTask(name, { requestId, respectOverlap: true });
  }

  @Get('boom/now')
  boom() {
    throw new Error('not ours');
  }
}

@Controller('filtered')
@UseFilters(AioClockExceptionFilter)
class FilteredController extends TasksController {}

let app: INestApplication;
afterEach(async () => {
  await app.close();
});

async function start(controller: new (registry: TaskRegistry) => object, appWide = false) {
  const moduleRef = await Test.createTestingModule({
    imports: [AioClockModule.forRoot({ logger: false })],
    providers: [
      Billing,
      ...(appWide ? [{ provide: APP_FILTER, useClass: AioClockExceptionFilter }] : []),
    ],
    controllers: [controller],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return request(app.getHttpServer());
}

describe('AioClockExceptionFilter: the registry errors in HTTP terms', () => {
  it('on a controller: unknown task 404, bad input 400, with the error message', async () => {
    const http = await start(FilteredController);
    const missing = await http.get('/filtered/nope').expect(404);
    expect(missing.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: new TaskNotFoundError('nope').message,
    });
    const bad = await http.get('/filtered/charge/history?limit=0').expect(400);
    expect(bad.body.message).toMatch(/limit/);
    await http.get('/filtered/charge').expect(200);
  });

  it('app-wide (APP_FILTER): a repeated request id and a run refused by overlap are 409; other errors stay 500', async () => {
    const http = await start(TasksController, true);
    const first = http.post('/tasks/charge/run?requestId=r-1').then((response) => response);
    await sleep(50);
    // The first run is going: overlap 'skip' refuses another (respectOverlap), a repeat is refused.
    const overlapping = await http.post('/tasks/charge/run').expect(409);
    expect(overlapping.body.message).toMatch(/charge/);
    expect((await first).status).toBe(201);
    const repeated = await http.post('/tasks/charge/run?requestId=r-1').expect(409);
    expect(repeated.body.message).toBe(messages.duplicateRunRequest('charge', 'r-1'));
    await http.get('/tasks/boom/now').expect(500);
  });
});
