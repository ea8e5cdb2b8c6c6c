import { describe, it, expect, jest } from '@jest/globals';
import { ConsoleLogger, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AioClockModule,
  At,
  Cron,
  Every,
  Forever,
  OrTrigger,
  Task,
  TaskRegistry,
  type TaskContext,
} from '../../lib/index.js';
import {
  closeUnderFakeTimers,
  createApp,
  flushPromises,
  sleep,
} from '../fixtures/testing-module.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

// Issue 9: reproduced faults of the scheduler core, each as a user would meet it.

const HOUR = 3_600_000;

useFakeClock();

describe('a manual run of a Forever task', () => {
  it('does not spin the scheduled loop while it runs', async () => {
    @Injectable()
    class Pump {
      @Task(new Forever())
      async pump({ scheduledAt }: TaskContext) {
        await sleep(scheduledAt === null ? 1_000 : 10); // a manual run is the long one
      }
    }
    const { app } = await createApp([Pump]);
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(55);
    const manual = registry.runTask('Pump.pump');
    await jest.advanceTimersByTimeAsync(1_000);
    await manual;
    const { counters, runCount } = registry.getTask('Pump.pump');
    // The scheduled fire that met the manual run is skipped once (or held), not a thousand times.
    expect(counters.skipped).toBeLessThanOrEqual(2);
    const runsAfterManual = runCount;
    await jest.advanceTimersByTimeAsync(100);
    expect(registry.getTask('Pump.pump').runCount).toBeGreaterThanOrEqual(runsAfterManual + 9);
    await closeUnderFakeTimers(app);
  });
});

describe('the system clock set back', () => {
  it("jest's fake timers move Date.now with setSystemTime but not performance.now (the tests below rely on it)", () => {
    const monotonic = performance.now();
    const wall = Date.now();
    jest.setSystemTime(wall - HOUR);
    expect(Date.now()).toBe(wall - HOUR);
    expect(performance.now()).toBe(monotonic);
  });

  it('by an hour does not silence Every tasks, fixed delay or fixed rate', async () => {
    @Injectable()
    class Ticker {
      byEnd = 0;
      byStart = 0;
      @Task(new Every({ seconds: 1 }))
      fixedDelay() {
        this.byEnd++;
      }
      @Task(new Every({ seconds: 1, anchor: 'start' }))
      fixedRate() {
        this.byStart++;
      }
    }
    const { app } = await createApp([Ticker]);
    await jest.advanceTimersByTimeAsync(2_500);
    expect(app.get(Ticker)).toMatchObject({ byEnd: 2, byStart: 2 });

    jest.setSystemTime(Date.now() - HOUR);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(Ticker)).toMatchObject({ byEnd: 7, byStart: 7 });
    const registry = app.get(TaskRegistry);
    for (const name of ['Ticker.fixedDelay', 'Ticker.fixedRate']) {
      const next = registry.getTask(name).nextRunAt!.getTime();
      expect(next - Date.now()).toBeGreaterThan(0);
      expect(next - Date.now()).toBeLessThanOrEqual(1_000);
    }
    await closeUnderFakeTimers(app);
  });

  it('by an hour: Cron and At fire again at a matching wall time, never twice for one nominal time', async () => {
    @Injectable()
    class Calendar {
      minutes: string[] = [];
      daily: string[] = [];
      @Task(new Cron('* * * * *'))
      everyMinute({ scheduledAt }: TaskContext) {
        this.minutes.push(scheduledAt!.toISOString());
      }
      @Task(new At({ hour: 0, minute: 1 }))
      atOneMinutePastMidnight({ scheduledAt }: TaskContext) {
        this.daily.push(scheduledAt!.toISOString());
      }
    }
    const { app } = await createApp([Calendar]);
    await jest.advanceTimersByTimeAsync(150_000); // 00:02:30
    const calendar = app.get(Calendar);
    expect(calendar.minutes).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']);
    expect(calendar.daily).toEqual(['2026-01-01T00:01:00.000Z']);

    jest.setSystemTime(Date.now() - HOUR); // 2025-12-31T23:02:30Z
    // Through the hour the wall clock replays, and a little beyond: 00:03:30 on 1 January again.
    await jest.advanceTimersByTimeAsync(HOUR + 60_000);
    expect(new Date(Date.now()).toISOString()).toBe('2026-01-01T00:03:30.000Z');
    expect(calendar.minutes).toContain('2026-01-01T00:03:00.000Z');
    expect(new Set(calendar.minutes).size).toBe(calendar.minutes.length);
    // 00:01 on 1 January came round again on the wall clock; it had fired already.
    expect(calendar.daily).toEqual(['2026-01-01T00:01:00.000Z']);
    expect(app.get(TaskRegistry).getTask('Calendar.atOneMinutePastMidnight').nextRunAt).toEqual(
      new Date('2026-01-02T00:01:00.000Z'),
    );
    await closeUnderFakeTimers(app);
  });

  it('by an hour does not silence the Every child of an OrTrigger that also has a Cron child', async () => {
    @Injectable()
    class Mixed {
      runs = 0;
      @Task(new OrTrigger([new Every({ seconds: 1 }), new Cron('0 0 * * *')]))
      either() {
        this.runs++;
      }
    }
    const { app } = await createApp([Mixed]);
    await jest.advanceTimersByTimeAsync(2_500);
    expect(app.get(Mixed).runs).toBe(2);
    jest.setSystemTime(Date.now() - HOUR);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(app.get(Mixed).runs).toBeGreaterThanOrEqual(6);
    await closeUnderFakeTimers(app);
  });
});

describe('idle and queued manual runs', () => {
  it('whenIdle() resolves with enabled: false, where nothing is planned', async () => {
    @Injectable()
    class Quiet {
      @Task(new Every({ seconds: 1 }))
      tick() {}
    }
    const { app } = await createApp([Quiet], { enabled: false });
    const registry = app.get(TaskRegistry);
    let idle = false;
    void registry.whenIdle().then(() => (idle = true));
    await flushPromises();
    expect(idle).toBe(true);
    expect(registry.isIdle()).toBe(true);
    await app.close();
  });

  it("many manual runs queued behind a 'queue' task all run, one after another, in order", async () => {
    // 16,000 waiters cost about 35 s when every run end woke all of them (O(N^2)); one at a time
    // they take well under a second, so the test timeout tells the two apart. Each run yields a
    // macrotask, so that a slow queue cannot starve the timeout of the event loop.
    jest.useRealTimers();
    const count = 16_000;
    @Injectable()
    class Serial {
      running = 0;
      maxRunning = 0;
      done = 0;
      @Task(new Every({ hours: 1 }), { overlap: 'queue' })
      async step() {
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        await new Promise((resolve) => setImmediate(resolve));
        this.running--;
        return ++this.done;
      }
    }
    const { app } = await createApp([Serial]);
    const registry = app.get(TaskRegistry);
    const results = await Promise.all(
      Array.from({ length: count }, () =>
        registry.runTask('Serial.step', { respectOverlap: true }),
      ),
    );
    expect(results).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    expect(app.get(Serial).maxRunning).toBe(1);
    await app.close();
  }, 15_000);
});

describe('the default logger', () => {
  it('prints one line per warning, without an extra "AioClock" line', async () => {
    @Injectable()
    class Hung {
      @Task(new Every({ seconds: 1, maxLoopCount: 1 }), { timeout: 500 })
      async wait() {
        await new Promise(() => {});
      }
    }
    // No `logger` option: the module logs through Nest's Logger, here a plain ConsoleLogger
    // (quiet below warnings, so that Nest's own start-up lines stay out of the test output).
    const app = await Test.createTestingModule({
      imports: [AioClockModule.forRoot()],
      providers: [Hung],
    })
      .setLogger(new ConsoleLogger({ logLevels: ['warn', 'error'] }))
      .compile();
    await app.init();
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      await jest.advanceTimersByTimeAsync(1_500); // fires at 1 s, times out at 1.5 s
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    // Only Nest's lines: Node may print a warning of its own meanwhile.
    const lines = written
      .join('')
      .split('\n')
      .filter((line) => line.includes('[Nest]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Task "Hung.wait" timed out after 500 ms');
    expect(lines[0]).toContain('AioClock');
    await closeUnderFakeTimers(app);
  });
});

describe('in-memory history', () => {
  it('a task that ran once does not hold a whole history ring', async () => {
    const tasks = 10;
    const historySize = 100_000;
    @Injectable()
    class Many {
      @Task(new Every({ hours: 1 }), { name: 'task-0' }) t0() {}
      @Task(new Every({ hours: 1 }), { name: 'task-1' }) t1() {}
      @Task(new Every({ hours: 1 }), { name: 'task-2' }) t2() {}
      @Task(new Every({ hours: 1 }), { name: 'task-3' }) t3() {}
      @Task(new Every({ hours: 1 }), { name: 'task-4' }) t4() {}
      @Task(new Every({ hours: 1 }), { name: 'task-5' }) t5() {}
      @Task(new Every({ hours: 1 }), { name: 'task-6' }) t6() {}
      @Task(new Every({ hours: 1 }), { name: 'task-7' }) t7() {}
      @Task(new Every({ hours: 1 }), { name: 'task-8' }) t8() {}
      @Task(new Every({ hours: 1 }), { name: 'task-9' }) t9() {}
    }
    const { app } = await createApp([Many], { historySize });
    const registry = app.get(TaskRegistry);
    const memory = () => {
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const before = memory();
    for (let i = 0; i < tasks; i++) await registry.runTask(`task-${i}`);
    const grown = memory() - before;
    // A ring allocated whole costs tens of bytes per slot: 10 x 100,000 slots is tens of MB.
    expect(grown).toBeLessThan(10_000_000);
    for (let i = 0; i < tasks; i++) {
      expect(await registry.getHistory(`task-${i}`, { limit: 5 })).toHaveLength(1);
    }
    await closeUnderFakeTimers(app);
  });
});
