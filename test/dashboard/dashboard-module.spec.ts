import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type CanActivate, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { AioClockModule, Every, OptionValidationError, Task } from '../../lib/index.js';
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

async function mount(options: DashboardOptions, logger = new RecordingLogger()) {
  @Module({
    imports: [AioClockModule.forRoot({ logger: false }), AioClockDashboardModule.forRoot(options)],
    providers: [Heartbeat],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger });
  apps.push(app);
  await app.init();
  return { server: app.getHttpServer(), logger };
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
