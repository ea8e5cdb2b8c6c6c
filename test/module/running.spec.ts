import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AioClockModule,
  At,
  LoopController,
  Cron,
  Every,
  OnShutDown,
  OnStartUp,
  Once,
  Task,
  TaskRegistry,
  type TaskContext,
  type TriggerState,
} from '../../lib/index.js';
import { createApp, flushPromises, sleep } from '../fixtures/testing-module.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

describe('running tasks', () => {
  it('logs a failing run with the task name and stack, and keeps the loop going', async () => {
    @Injectable()
    class Flaky {
      attempts = 0;
      @Task(new Every({ seconds: 1 }))
      run() {
        this.attempts++;
        if (this.attempts === 1) throw new Error('database down');
      }
    }
    const { app, logger } = await createApp([Flaky]);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(app.get(Flaky).attempts).toBe(3);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0].message).toBe('Task "Flaky.run" failed (attempt 1): database down');
    expect(logger.errors[0].stack).toContain('Flaky.run');
    const task = app.get(TaskRegistry).getTask('Flaky.run');
    expect(task.counters).toMatchObject({ failed: 1, succeeded: 2 });
    expect(task.lastRun?.status).toBe('succeeded');
    await app.close();
  });

  it('aborts a run past its timeout, records it as timed out and keeps the schedule', async () => {
    const seen: string[] = [];
    @Injectable()
    class Slow {
      @Task(new Every({ seconds: 10 }), { timeout: 2_000 })
      async run({ signal }: TaskContext) {
        signal.addEventListener('abort', () => seen.push(`aborted at ${Date.now() - T0}`));
        await new Promise(() => {}); // never settles by itself
      }
    }
    const { app, logger } = await createApp([Slow]);
    await jest.advanceTimersByTimeAsync(12_000);
    expect(seen).toEqual(['aborted at 12000']);
    const task = app.get(TaskRegistry).getTask('Slow.run');
    expect(task.lastRun).toMatchObject({ status: 'timedOut', error: { name: 'TaskTimeoutError' } });
    expect(task.running).toBe(false);
    expect(logger.warnings).toContain('Task "Slow.run" timed out after 2000 ms');
    // Fixed delay from the end of the timed-out run: next at 12 s + 10 s.
    expect(task.nextRunAt?.toISOString()).toBe('2026-01-01T00:00:22.000Z');
    await app.close();
  });

  it('waits the full interval beyond the 2^31-1 ms timer limit', async () => {
    @Injectable()
    class Monthly {
      runs: number[] = [];
      @Task(new Every({ days: 30 }))
      run() {
        this.runs.push(Date.now() - T0);
      }
    }
    const { app } = await createApp([Monthly]);
    const thirtyDays = 30 * 86_400_000;
    await jest.advanceTimersByTimeAsync(thirtyDays - 1);
    expect(app.get(Monthly).runs).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(app.get(Monthly).runs).toEqual([thirtyDays]);
    await app.close();
  });

  it('runs startup tasks to completion before scheduled ones, and shutdown tasks after the drain', async () => {
    const order: string[] = [];
    @Injectable()
    class Lifecycle {
      @Task(new OnStartUp())
      async warmUp() {
        order.push('startup begins');
        await sleep(5_000);
        order.push('startup ends');
      }
      @Task(new Once())
      once() {
        order.push('once');
      }
      @Task(new Every({ seconds: 1 }))
      async tick() {
        order.push('tick begins');
        await sleep(3_000);
        order.push('tick ends');
      }
      @Task(new OnShutDown())
      goodbye() {
        order.push('shutdown');
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [AioClockModule.forRoot({ logger: false })],
      providers: [Lifecycle],
    }).compile();
    const init = moduleRef.init();
    await jest.advanceTimersByTimeAsync(5_000);
    await init;
    expect(order).toEqual(['startup begins', 'startup ends']);
    await jest.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['startup begins', 'startup ends', 'once']);
    await jest.advanceTimersByTimeAsync(999);
    expect(order.at(-1)).toBe('tick begins');
    const closing = moduleRef.close();
    await jest.advanceTimersByTimeAsync(3_000);
    await closing;
    expect(order.slice(-2)).toEqual(['tick ends', 'shutdown']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('aborts runs still going at shutdownTimeout, then runs shutdown tasks', async () => {
    const order: string[] = [];
    @Injectable()
    class Stubborn {
      @Task(new Every({ seconds: 1 }))
      async run({ signal }: TaskContext) {
        order.push('run');
        signal.addEventListener('abort', () =>
          order.push(`aborted: ${(signal.reason as Error).name}`),
        );
        await new Promise(() => {});
      }
      @Task(new OnShutDown())
      bye() {
        order.push('shutdown');
      }
    }
    const { app, logger } = await createApp([Stubborn], { shutdownTimeout: 2_000 });
    await jest.advanceTimersByTimeAsync(1_000);
    const closing = app.close();
    await jest.advanceTimersByTimeAsync(1_999);
    expect(order).toEqual(['run']);
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    expect(order).toEqual(['run', 'aborted: ShutdownAbortError', 'shutdown']);
    expect(logger.warnings[0]).toContain(
      'Shutdown timeout reached; aborting runs still going: Stubborn.run',
    );
    expect(app.get(TaskRegistry).getTask('Stubborn.run').lastRun?.status).toBe('cancelled');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('with enabled: false registers tasks but runs nothing until asked', async () => {
    @Injectable()
    class Quiet {
      runs = 0;
      @Task(new Every({ seconds: 1 }))
      run() {
        return ++this.runs;
      }
      @Task(new OnStartUp())
      start() {
        this.runs += 100;
      }
      @Task(new OnShutDown())
      stop() {
        this.runs += 1_000;
      }
    }
    const { app } = await createApp([Quiet], { enabled: false });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(app.get(Quiet).runs).toBe(0);
    expect(app.get(TaskRegistry).getTask('Quiet.run').nextRunAt).toBeNull();
    await expect(app.get(TaskRegistry).runTask('Quiet.run')).resolves.toBe(1);
    await app.close();
    expect(app.get(Quiet).runs).toBe(1);
  });

  it('lets tests replace a task dependency with overrideProvider', async () => {
    @Injectable()
    class PriceApi {
      fetch(): number {
        throw new Error('no network in tests');
      }
    }
    @Injectable()
    class PricePoller {
      prices: number[] = [];
      constructor(private readonly api: PriceApi) {}
      @Task(new Every({ seconds: 2 }))
      poll() {
        this.prices.push(this.api.fetch());
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [AioClockModule.forRoot({ logger: false })],
      providers: [PriceApi, PricePoller],
    })
      .overrideProvider(PriceApi)
      .useValue({ fetch: () => 42 })
      .compile();
    await moduleRef.init();
    await jest.advanceTimersByTimeAsync(4_000);
    expect(moduleRef.get(PricePoller).prices).toEqual([42, 42]);
    await moduleRef.close();
  });

  it('reports idle once every finite trigger is exhausted', async () => {
    @Injectable()
    class Finite {
      @Task(new Every({ seconds: 1, maxLoopCount: 3 }))
      three() {}
      @Task(new Once())
      once() {}
    }
    const { app } = await createApp([Finite]);
    const registry = app.get(TaskRegistry);
    let idle = false;
    void registry.whenIdle().then(() => (idle = true));
    await jest.advanceTimersByTimeAsync(2_000);
    expect(idle).toBe(false);
    expect(registry.isIdle()).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);
    await flushPromises();
    expect(idle).toBe(true);
    expect(registry.getTask('Finite.three')).toMatchObject({ runCount: 3, nextRunAt: null });
    await app.close();
  });

  it('publishes the next planned run in metadata; the trigger object holds no plan', async () => {
    const trigger = new Every({ minutes: 1 });
    @Injectable()
    class Minutely {
      @Task(trigger)
      run() {}
    }
    const { app } = await createApp([Minutely]);
    const task = app.get(TaskRegistry).getTask('Minutely.run');
    expect(task.nextRunAt?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(trigger.expectedTriggerTime).toBeNull();
    expect(JSON.parse(JSON.stringify(task))).toMatchObject({
      trigger: { type: 'Every', minutes: 1 },
    });
    await app.close();
  });
});

describe('broken custom triggers', () => {
  it('stop only their own task, with a logged error naming it', async () => {
    class Broken extends LoopController {
      constructor() {
        super('Broken');
      }
      nextWait(state: TriggerState): number {
        if (state.loopCount >= 1) throw new Error('no more answers');
        return 1_000;
      }
      describe() {
        return { type: 'Broken', ...this.describeLoop() };
      }
    }
    @Injectable()
    class Mixed {
      broken = 0;
      healthy = 0;
      @Task(new Broken())
      fragile() {
        this.broken++;
      }
      @Task(new Every({ seconds: 1 }))
      steady() {
        this.healthy++;
      }
    }
    const { app, logger } = await createApp([Mixed]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(Mixed)).toMatchObject({ broken: 1, healthy: 5 });
    expect(logger.errors[0].message).toBe(
      'Task "Mixed.fragile": its Broken trigger failed and the task is no longer scheduled: no more answers',
    );
    expect(app.get(TaskRegistry).getTask('Mixed.fragile').nextRunAt).toBeNull();
    await app.close();
  });
});

describe('time zones', () => {
  it("gives At and Cron without their own tz the module's timeZone", async () => {
    @Injectable()
    class Zoned {
      @Task(new Cron('0 9 * * *'))
      morning() {}
      @Task(new At({ at: 'every monday', hour: 9 }))
      weekly() {}
      @Task(new Cron('0 9 * * *', { tz: 'Asia/Tokyo' }))
      tokyo() {}
    }
    const { app } = await createApp([Zoned], { timeZone: 'America/New_York' });
    const registry = app.get(TaskRegistry);
    // 2026-01-01 is a Thursday; 09:00 in New York (EST) is 14:00 UTC.
    expect(registry.getTask('Zoned.morning')).toMatchObject({
      trigger: { tz: null },
      timeZone: 'America/New_York',
    });
    expect(registry.getTask('Zoned.morning').nextRunAt?.toISOString()).toBe(
      '2026-01-01T14:00:00.000Z',
    );
    expect(registry.getTask('Zoned.weekly').nextRunAt?.toISOString()).toBe(
      '2026-01-05T14:00:00.000Z',
    );
    expect(registry.getTask('Zoned.tokyo').nextRunAt?.toISOString()).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    await app.close();
  });
});

describe('runTask', () => {
  it('runs now with a context, resolves with the value and leaves the loop budget alone', async () => {
    const contexts: TaskContext[] = [];
    @Injectable()
    class Budget {
      @Task(new Every({ seconds: 10, maxLoopCount: 1 }))
      run(context: TaskContext) {
        contexts.push(context);
        return 'done';
      }
    }
    const { app } = await createApp([Budget]);
    const registry = app.get(TaskRegistry);
    await expect(registry.runTask('Budget.run')).resolves.toBe('done');
    await expect(registry.runTask(registry.getTask('Budget.run').id)).resolves.toBe('done');
    expect(contexts[0]).toMatchObject({ taskName: 'Budget.run', scheduledAt: null, attempt: 1 });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(contexts).toHaveLength(3);
    expect(contexts[2].scheduledAt?.toISOString()).toBe('2026-01-01T00:00:10.000Z');
    await app.close();
  });

  it("rejects with the method's error", async () => {
    @Injectable()
    class Broken {
      @Task(new Every({ hours: 1 }))
      run() {
        throw new TypeError('bad input');
      }
    }
    const { app } = await createApp([Broken]);
    await expect(app.get(TaskRegistry).runTask('Broken.run')).rejects.toThrow(TypeError);
    expect(app.get(TaskRegistry).getTask('Broken.run').lastRun).toMatchObject({
      origin: 'manual',
      status: 'failed',
    });
    await app.close();
  });
});
