import { describe, it, expect, jest } from '@jest/globals';
import { Controller, Get, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Cron, Every, Task, TaskRegistry } from '../../lib/index.js';
import { AioClockHealthIndicator, terminusMessages } from '../../lib/terminus/index.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';
import { StoreDown } from '../cluster/replicas.js';

useFakeClock();

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly aioclock: AioClockHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(overdue: 'down' | 'degraded' = 'down') {
    return this.health.check([() => this.aioclock.isHealthy('scheduler', { overdue })]);
  }
}

/** What GET /health would answer: the terminus body, and 503 when it is down. */
async function probe(app: Awaited<ReturnType<typeof createApp>>['app'], overdue?: 'degraded') {
  try {
    return { code: 200, body: await app.get(HealthController).check(overdue) };
  } catch (error) {
    if (!(error instanceof ServiceUnavailableException)) throw error;
    return { code: 503, body: error.getResponse() as Record<string, unknown> };
  }
}

function buildApp(providers: Parameters<typeof createApp>[0], options = {}) {
  return createApp([...providers, AioClockHealthIndicator], options, {
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
  });
}

@Injectable()
class Billing {
  fail = true;
  @Task(new Every({ seconds: 10, anchor: 'start' }), { name: 'billing', critical: true })
  charge() {
    if (this.fail) throw new Error('card processor down');
  }
}

describe('AioClockHealthIndicator', () => {
  it('is up while the scheduler runs and every critical task succeeds in time', async () => {
    const { app } = await buildApp([Billing]);
    app.get(Billing).fail = false;
    await jest.advanceTimersByTimeAsync(60_000);
    const { code, body } = await probe(app);
    expect(code).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      details: { scheduler: { status: 'up', state: 'running', tasks: 1, overdue: [] } },
    });
    await closeUnderFakeTimers(app);
  });

  it('is down when the scheduler is not running', async () => {
    const { app } = await buildApp([Billing], { enabled: false });
    const { code, body } = await probe(app);
    expect(code).toBe(503);
    expect(body).toMatchObject({
      status: 'error',
      error: {
        scheduler: { status: 'down', reasons: [terminusMessages.notRunning('created')] },
      },
    });
    await app.close();
  });

  it('tolerates one failed run of a critical task, then is down naming it until it succeeds', async () => {
    const { app } = await buildApp([Billing]);
    await jest.advanceTimersByTimeAsync(10_500); // the run at 10 s failed
    expect((await probe(app)).code).toBe(200);
    await jest.advanceTimersByTimeAsync(11_000); // and the one at 20 s: due by 21 s
    const { code, body } = await probe(app);
    expect(code).toBe(503);
    const dueBy = new Date(T0 + 21_000);
    expect(body).toMatchObject({
      error: {
        scheduler: {
          status: 'down',
          reasons: [terminusMessages.overdue('billing', dueBy)],
          overdue: [{ task: 'billing', lastSucceededAt: null, dueBy: dueBy.toISOString() }],
        },
      },
    });
    expect(app.get(TaskRegistry).status().overdue).toEqual([
      { task: 'billing', group: null, lastSucceededAt: null, dueBy, within: null },
    ]);
    expect(app.get(TaskRegistry).getTask('billing').critical).toEqual({ within: null });
    app.get(Billing).fail = false;
    await jest.advanceTimersByTimeAsync(10_000);
    expect((await probe(app)).code).toBe(200);
    await closeUnderFakeTimers(app);
  });

  it("reports an overdue task as terminus' degraded (HTTP 200) when asked to", async () => {
    const { app } = await buildApp([Billing]);
    await jest.advanceTimersByTimeAsync(25_000);
    const { code, body } = await probe(app, 'degraded');
    expect(code).toBe(200);
    expect(body).toMatchObject({
      status: 'degraded',
      details: { scheduler: { status: 'degraded', overdue: [{ task: 'billing' }] } },
    });
    await closeUnderFakeTimers(app);
  });

  it('a paused critical task is not overdue', async () => {
    const { app } = await buildApp([Billing]);
    app.get(TaskRegistry).pause('billing');
    await jest.advanceTimersByTimeAsync(60_000);
    expect((await probe(app)).code).toBe(200);
    await closeUnderFakeTimers(app);
  });
});

@Injectable()
class Stuck {
  @Task(new Every({ seconds: 1 }), { name: 'export', critical: { within: 5_000 } })
  async export(context: { signal: AbortSignal }) {
    await sleep(3_600_000, context.signal).catch(() => undefined);
  }
}

describe('critical: { within }', () => {
  it('a run that hangs makes its task overdue once `within` has passed', async () => {
    const { app } = await buildApp([Stuck]);
    await jest.advanceTimersByTimeAsync(4_000);
    expect(app.get(TaskRegistry).status().overdue).toEqual([]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(app.get(TaskRegistry).status().overdue).toEqual([
      expect.objectContaining({ task: 'export', dueBy: new Date(T0 + 5_000), within: 5_000 }),
    ]);
    await closeUnderFakeTimers(app, 4_000_000);
  });
});

@Injectable()
class Ticker {
  @Task(new Cron('* * * * * *'), { name: 'tick' })
  tick() {}
}

describe('cluster store outage', () => {
  it('is down once the store has been unreachable beyond maxStoreOutage, up when it is back', async () => {
    const store = new StoreDown('claimTicks');
    const { app } = await buildApp([Ticker], {
      timeZone: 'UTC',
      cluster: { coordinator: store, instanceId: 'a' },
      logger: false,
    });
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(registry.status().cluster).toMatchObject({
      reachable: true,
      unreachableSince: null,
      lastContactAt: new Date(T0 + 2_000),
      clockOffsetMs: null,
    });
    store.down = true;
    await jest.advanceTimersByTimeAsync(1_000); // the claim of the tick at 3 s fails
    expect(registry.status().cluster).toMatchObject({
      reachable: false,
      unreachableSince: new Date(T0 + 3_000),
    });
    await jest.advanceTimersByTimeAsync(20_000);
    expect((await probe(app)).code).toBe(200); // 20 s < 30 s
    await jest.advanceTimersByTimeAsync(11_000);
    const { code, body } = await probe(app);
    expect(code).toBe(503);
    expect(body).toMatchObject({
      error: {
        scheduler: {
          reasons: [terminusMessages.storeUnreachable('memory', 31_000)],
          cluster: { reachable: false, unreachableSince: new Date(T0 + 3_000).toISOString() },
        },
      },
    });
    store.down = false;
    await jest.advanceTimersByTimeAsync(20_000); // retries back off up to a few seconds
    expect(registry.status().cluster?.reachable).toBe(true);
    expect((await probe(app)).code).toBe(200);
    await closeUnderFakeTimers(app);
  });
});
