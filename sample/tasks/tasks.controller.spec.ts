import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { TaskRegistry } from '../../lib/index.js';
import { AppModule } from '../app.module.js';
import { DASHBOARD_TOKEN } from '../dashboard/dashboard-token.guard.js';
import { PriceFeed } from '../prices/price-feed.service.js';

/** The header a script sends to pass the sample's token guard (the page uses `?token=`). */
const TOKEN_HEADER = 'x-dashboard-token';

describe('sample TasksController over HTTP', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      // The sample's feed is random; the test pins it, exactly as users replace task dependencies.
      .overrideProvider(PriceFeed)
      .useValue({ fetchPrice: async (symbol: string) => (symbol === 'BTC' ? 50_000 : 1.08) })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('GET /tasks lists every task with JSON metadata', async () => {
    const response = await request(app.getHttpServer()).get('/tasks').expect(200);
    const names = (response.body as { name: string }[]).map((task) => task.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'PricePoller.poll',
        'btc-poll',
        'reports.nightly',
        'reports.weekly',
        'reports.announceDeploy',
        'CacheWarmer.warmUp',
        'CacheWarmer.consumeInvalidations',
        'CacheWarmer.flush',
      ]),
    );
    const nightly = response.body.find((task: { name: string }) => task.name === 'reports.nightly');
    expect(nightly).toMatchObject({
      group: 'reports',
      trigger: { type: 'Cron', expression: '30 2 * * *', tz: 'Europe/Berlin' },
      policies: { timeout: 60_000 },
    });
    expect(typeof nightly.nextRunAt).toBe('string');
  });

  it('GET /tasks/:idOrName finds a task by name or id', async () => {
    const id = app.get(TaskRegistry).getTask('reports.weekly').id;
    const byId = await request(app.getHttpServer()).get(`/tasks/${id}`).expect(200);
    expect(byId.body).toMatchObject({
      name: 'reports.weekly',
      trigger: { type: 'At', at: 'every monday' },
    });
  });

  it('POST /tasks/:idOrName/run runs the task with the overridden dependency', async () => {
    const response = await request(app.getHttpServer())
      .post('/tasks/btc-poll/run')
      .set(TOKEN_HEADER, DASHBOARD_TOKEN)
      .expect(200);
    expect(response.body).toEqual({ result: 50_000 });
    const history = await request(app.getHttpServer())
      .get('/tasks/btc-poll/history?limit=1')
      .expect(200);
    expect(history.body[0]).toMatchObject({
      origin: 'manual',
      status: 'succeeded',
      result: '50000',
    });
  });

  it('answers 404 with a JSON error for an unknown task', async () => {
    const response = await request(app.getHttpServer())
      .post('/tasks/no-such-task/run')
      .set(TOKEN_HEADER, DASHBOARD_TOKEN)
      .expect(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'No task with id or name "no-such-task"',
    });
    await request(app.getHttpServer()).get('/tasks/no-such-task').expect(404);
  });

  it('refuses run, pause and resume without the dashboard token', async () => {
    for (const action of ['run', 'pause', 'resume']) {
      const response = await request(app.getHttpServer())
        .post(`/tasks/PricePoller.poll/${action}`)
        .set(TOKEN_HEADER, 'wrong')
        .expect(401);
      expect(response.body.message).toContain('token');
    }
    await request(app.getHttpServer()).post('/tasks/PricePoller.poll/pause').expect(401);
    expect(app.get(TaskRegistry).getTask('PricePoller.poll').paused).toBe(false);
  });

  it('pauses and resumes a task', async () => {
    const paused = await request(app.getHttpServer())
      .post('/tasks/PricePoller.poll/pause')
      .set(TOKEN_HEADER, DASHBOARD_TOKEN)
      .expect(200);
    expect(paused.body).toMatchObject({ paused: true, nextRunAt: null });
    const resumed = await request(app.getHttpServer())
      .post('/tasks/PricePoller.poll/resume')
      .set(TOKEN_HEADER, DASHBOARD_TOKEN)
      .expect(200);
    expect(resumed.body.paused).toBe(false);
    expect(typeof resumed.body.nextRunAt).toBe('string');
  });

  it('streams events as server-sent events', async () => {
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, resolve));
    const { port } = server.address() as { port: number };
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/tasks/events`, {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    await request(server)
      .post('/tasks/reports.announceDeploy/run')
      .set(TOKEN_HEADER, DASHBOARD_TOKEN)
      .expect(200);
    let text = '';
    while (!text.includes('event: succeeded')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: started');
    expect(text).toContain('"taskName":"reports.announceDeploy"');
  });
});
