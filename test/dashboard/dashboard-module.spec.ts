import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type CanActivate, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import {
  AioClockModule,
  Every,
  OptionValidationError,
  Task,
  TaskRegistry,
  TaskSupervisor,
  type AioClockModuleOptions,
} from '../../lib/index.js';
import {
  AioClockDashboardModule,
  dashboardMessages,
  type DashboardOptions,
} from '../../lib/dashboard/index.js';
import { RecordingLogger } from '../fixtures/testing-module.js';

// Issue 12: the dashboard refuses to mount without a guard, and every route is behind it.
@Injectable()
class Heartbeat {
  @Task(new Every({ minutes: 5 }), { name: 'heartbeat' })
  beat() {
    return 'ok';
  }
}

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function mount(
  options: DashboardOptions,
  logger = new RecordingLogger(),
  moduleOptions: AioClockModuleOptions = {},
) {
  @Module({
    imports: [
      AioClockModule.forRoot({ logger: false, ...moduleOptions }),
      AioClockDashboardModule.forRoot(options),
    ],
    providers: [Heartbeat],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger });
  apps.push(app);
  await app.init();
  return { app, server: app.getHttpServer(), logger };
}

describe('mounting the dashboard', () => {
  it('fails at bootstrap without a guard, saying how to pass one or opt out', () => {
    expect(() => AioClockDashboardModule.forRoot()).toThrow(OptionValidationError);
    expect(() => AioClockDashboardModule.forRoot({ path: '/ops' })).toThrow(
      dashboardMessages.missingGuard(),
    );
    expect(() => AioClockDashboardModule.forRoot({ allowUnguarded: false })).toThrow(
      'AioClockDashboardModule: invalid option guard',
    );
  });

  it('rejects a guard that is not one, a bad path and unknown keys, naming the field', () => {
    class NotAGuard {}
    expect(() => AioClockDashboardModule.forRoot({ guard: NotAGuard as never })).toThrow(
      dashboardMessages.notAGuard(NotAGuard),
    );
    expect(() => AioClockDashboardModule.forRoot({ guard: 'admin' as never })).toThrow(
      'invalid option guard',
    );
    expect(() =>
      AioClockDashboardModule.forRoot({ allowUnguarded: true, path: '/ops clock' }),
    ).toThrow(dashboardMessages.badPath('/ops clock'));
    expect(() => AioClockDashboardModule.forRoot({ allowUnguarded: 'yes' as never })).toThrow(
      'invalid option allowUnguarded',
    );
    expect(() => AioClockDashboardModule.forRoot({ gaurd: {} } as DashboardOptions)).toThrow(
      'invalid option gaurd: unknown option',
    );
  });

  it('mounts without a guard only with allowUnguarded, and warns in the log', async () => {
    const { server, logger } = await mount({ allowUnguarded: true, path: '/ops/clock/' });
    expect(logger.warnings).toContain(dashboardMessages.unguardedWarning('/ops/clock'));
    const page = await request(server).get('/ops/clock');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>AioClock dashboard</title>');
    const overview = await request(server).get('/ops/clock/api/overview');
    expect(overview.body.tasks.map((task: { triggerText: string }) => task.triggerText)).toEqual([
      'every 5 min',
    ]);
  });
});

describe('behind a guard', () => {
  const refuse: CanActivate = { canActivate: () => false };

  it('answers 403 on the page, the API, the stream and the actions when the guard refuses', async () => {
    const { server } = await mount({ guard: refuse });
    for (const path of ['', '/api/overview', '/api/tasks/heartbeat', '/events']) {
      const response = await request(server).get(`/aioclock${path}`);
      expect([path, response.status]).toEqual([path, 403]);
    }
    for (const action of ['run', 'pause', 'resume']) {
      const response = await request(server)
        .post(`/aioclock/api/tasks/heartbeat/${action}`)
        .set('x-aioclock-dashboard', '1');
      expect([action, response.status]).toEqual([action, 403]);
    }
  });

  it('takes actions only with the dashboard header, and answers 404 for an unknown task', async () => {
    const { server } = await mount({ guard: { canActivate: () => true } });
    const bare = await request(server).post('/aioclock/api/tasks/heartbeat/pause');
    expect(bare.status).toBe(403);
    expect(bare.body.message).toBe(dashboardMessages.missingActionHeader());
    const paused = await request(server)
      .post('/aioclock/api/tasks/heartbeat/pause')
      .set('x-aioclock-dashboard', '1');
    expect(paused.status).toBe(200);
    expect(paused.body.state).toBe('paused');
    const unknown = await request(server)
      .post('/aioclock/api/tasks/nope/run')
      .set('x-aioclock-dashboard', '1');
    expect(unknown.status).toBe(404);
  });

  it('serves the page with a nonce-only content security policy', async () => {
    const { server } = await mount({ guard: { canActivate: () => true } });
    const page = await request(server).get('/aioclock');
    const nonce = /script-src 'nonce-([^']+)'/.exec(page.headers['content-security-policy'])?.[1];
    expect(nonce).toBeDefined();
    expect(page.text).toContain(`<script nonce="${nonce}">`);
    expect(page.text).not.toMatch(/<script[^>]+src=|<link /);
  });
});

describe('the JSON API', () => {
  const open: DashboardOptions = { guard: { canActivate: () => true } };

  it('puts a finished run on the timeline and in the task’s history', async () => {
    const { app, server } = await mount(open);
    await app.get(TaskRegistry).runTask('heartbeat');
    const overview = await request(server).get('/aioclock/api/overview?minutes=5');
    const [row] = overview.body.timeline.rows;
    expect(row.taskName).toBe('heartbeat');
    expect(row.runs).toEqual([
      expect.objectContaining({ status: 'succeeded', origin: 'manual', attempt: 1 }),
    ]);
    expect(row.runs[0].end).toBeGreaterThanOrEqual(row.runs[0].start);
    expect(overview.body.timeline.to - overview.body.timeline.from).toBe(5 * 60_000);
    const detail = await request(server).get('/aioclock/api/tasks/heartbeat');
    expect(detail.body.history.map((record: { result: string }) => record.result)).toEqual(['ok']);
    expect(detail.body.task.counters.succeeded).toBe(1);
  });

  it('counts queued background jobs by pool and priority, and lists running and recent ones', async () => {
    const { app, server } = await mount(open, undefined, {
      supervisor: { pools: { inline: { poolSize: 1, reserveNormal: 0 } } },
    });
    const supervisor = app.get(TaskSupervisor);
    let release = () => {};
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const jobs = [
      supervisor.submit(() => blocker, { name: 'blocker' }),
      supervisor.submit(async () => 1, { name: 'urgent', priority: 'high' }),
      supervisor.submit(async () => 2, { name: 'urgent', priority: 'high' }),
      supervisor.submit(async () => 3, { name: 'someday', priority: 'low' }),
    ];
    const busy = (await request(server).get('/aioclock/api/overview')).body.jobs;
    const inline = busy.pools.find((pool: { executor: string }) => pool.executor === 'inline');
    expect(inline).toMatchObject({
      limits: { poolSize: 1 },
      running: 1,
      queued: { critical: 0, high: 2, normal: 0, low: 1 },
    });
    expect(busy.running.map((job: { name: string }) => job.name)).toEqual(['blocker']);
    release();
    await Promise.all(jobs.map((job) => job.result));
    const idle = (await request(server).get('/aioclock/api/overview')).body.jobs;
    expect(idle.running).toEqual([]);
    expect(idle.recent.map((job: { name: string }) => job.name)).toEqual([
      'someday',
      'urgent',
      'urgent',
      'blocker',
    ]);
  });
});
