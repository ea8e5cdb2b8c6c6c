import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AioClockModule,
  Every,
  InMemoryRunStore,
  OnStartUp,
  Task,
  TaskGroup,
  TaskNotFoundError,
  TaskRegistry,
  TaskRunHook,
  type RunRecord,
  type RunStore,
  type TaskContext,
} from '../../lib/index.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { messages } from '../../lib/errors.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

@TaskGroup('sync')
@Injectable()
class Sync {
  runs: string[] = [];
  @Task(new Every({ seconds: 1 }))
  async orders() {
    this.runs.push(`orders@${Date.now() - T0}`);
    await sleep(500);
  }
  @Task(new Every({ seconds: 2 }))
  customers() {
    this.runs.push(`customers@${Date.now() - T0}`);
  }
}

describe('pause, resume and setTrigger', () => {
  it('pause stops planning runs but lets the current run finish; resume plans from now', async () => {
    const { app } = await createApp([Sync]);
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(1_200); // orders is mid-run
    const paused = await registry.pause('sync.orders');
    expect(paused).toMatchObject({ paused: true, running: true, nextRunAt: null });
    await jest.advanceTimersByTimeAsync(5_000);
    const sync = app.get(Sync);
    expect(sync.runs.filter((run) => run.startsWith('orders'))).toEqual(['orders@1000']);
    expect(registry.getTask('sync.orders')).toMatchObject({
      running: false,
      counters: { succeeded: 1 },
    });
    const resumed = await registry.resume('sync.orders');
    expect(resumed.nextRunAt?.getTime()).toBe(T0 + 6_200 + 1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sync.runs.at(-1)).toBe('orders@7200');
    await closeUnderFakeTimers(app);
  });

  it('pauseGroup and resumeGroup act on every task of a group', async () => {
    const { app } = await createApp([Sync]);
    const registry = app.get(TaskRegistry);
    expect((await registry.pauseGroup('sync')).map((task) => task.paused)).toEqual([true, true]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(app.get(Sync).runs).toEqual([]);
    await registry.resumeGroup('sync');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(app.get(Sync).runs).toEqual(['orders@11000', 'customers@12000']);
    await expect(registry.pauseGroup('nope')).rejects.toThrow(TaskNotFoundError);
    await closeUnderFakeTimers(app);
  });

  it('setTrigger takes effect from the next fire time and shows in metadata', async () => {
    const { app } = await createApp([Sync]);
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(1_200); // orders is mid-run
    const minutely = new Every({ minutes: 1 });
    const changed = await registry.setTrigger('sync.orders', minutely);
    expect(changed.trigger).toMatchObject({ type: 'Every', minutes: 1 });
    // Still running: the next fire is planned when this run ends, from the new trigger.
    expect(changed.nextRunAt).toBeNull();
    await jest.advanceTimersByTimeAsync(300);
    expect(registry.getTask('sync.orders').nextRunAt?.getTime()).toBe(T0 + 1_500 + 60_000);
    // The scheduler plans in its own state: the trigger driven by hand has no plan of its own.
    expect(minutely.expectedTriggerTime).toBeNull();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(app.get(Sync).runs.filter((run) => run.startsWith('orders'))).toEqual([
      'orders@1000',
      'orders@61500',
    ]);
    await closeUnderFakeTimers(app);
  });

  it('rejects bad arguments without changing anything', async () => {
    const { app } = await createApp([Sync]);
    const registry = app.get(TaskRegistry);
    const before = registry.getTask('sync.orders');
    await expect(registry.pause('missing')).rejects.toThrow(TaskNotFoundError);
    await expect(registry.setTrigger('sync.orders', new OnStartUp())).rejects.toThrow(
      /setTrigger works only between scheduled triggers/,
    );
    await expect(registry.setTrigger('sync.orders', {} as never)).rejects.toThrow(
      messages.notATrigger({}),
    );
    const shared = new Every({ minutes: 10 });
    await registry.setTrigger('sync.customers', shared);
    await expect(registry.setTrigger('sync.orders', shared)).rejects.toThrow(
      /share one trigger instance/,
    );
    await expect(registry.getHistory('sync.orders', { limit: 0 })).rejects.toThrow(
      'getHistory: invalid option limit',
    );
    expect(registry.getTask('sync.orders')).toEqual(before);
    await closeUnderFakeTimers(app);
  });

  it('emits paused, resumed and rescheduled events', async () => {
    const { app } = await createApp([Sync]);
    const registry = app.get(TaskRegistry);
    const events: string[] = [];
    registry.events$.subscribe((event) => events.push(`${event.type}:${event.taskName}`));
    await registry.pause('sync.customers');
    await registry.resume('sync.customers');
    await registry.setTrigger('sync.customers', new Every({ seconds: 30 }));
    expect(events).toEqual([
      'paused:sync.customers',
      'resumed:sync.customers',
      'scheduled:sync.customers',
      'rescheduled:sync.customers',
      'scheduled:sync.customers',
    ]);
    await closeUnderFakeTimers(app);
  });
});

describe('history', () => {
  it('keeps the last historySize records per task, newest first', async () => {
    @Injectable()
    class Counter {
      n = 0;
      @Task(new Every({ seconds: 1 }))
      count() {
        return { n: ++this.n };
      }
    }
    const { app } = await createApp([Counter], { historySize: 3 });
    await jest.advanceTimersByTimeAsync(5_000);
    const history = await app.get(TaskRegistry).getHistory('Counter.count', { limit: 10 });
    expect(history.map((record) => record.result)).toEqual(['{"n":5}', '{"n":4}', '{"n":3}']);
    expect(history[0]).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      origin: 'schedule',
      error: null,
    });
    expect(history[0].finishedAt.getTime()).toBeGreaterThanOrEqual(history[0].startedAt!.getTime());
    await closeUnderFakeTimers(app);
  });

  it('gives each record the run id the run saw in its context', async () => {
    @Injectable()
    class Seen {
      runIds: string[] = [];
      @Task(new Every({ seconds: 1 }))
      run({ runId }: TaskContext) {
        this.runIds.push(runId);
      }
    }
    const { app } = await createApp([Seen]);
    await jest.advanceTimersByTimeAsync(3_000);
    const history = await app.get(TaskRegistry).getHistory('Seen.run');
    const seen = app.get(Seen).runIds;
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    expect(history.map((record) => record.runId)).toEqual([...seen].reverse());
    await closeUnderFakeTimers(app);
  });

  it('hands every run to a custom runStore, and getHistory reads from it', async () => {
    const added: RunRecord[] = [];
    const store: RunStore = {
      add: (record) => void added.push(record),
      list: (taskId, limit) =>
        added
          .filter((record) => record.taskId === taskId)
          .reverse()
          .slice(0, limit),
    };
    const { app } = await createApp([Ticker], { runStore: store });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(added.map((record) => [record.taskName, record.status])).toEqual([
      ['Ticker.tick', 'succeeded'],
      ['Ticker.tick', 'succeeded'],
    ]);
    const history = await app.get(TaskRegistry).getHistory('Ticker.tick');
    expect(history.map((record) => record.runId)).toEqual(
      [...added].reverse().map((record) => record.runId),
    );
    await closeUnderFakeTimers(app);
  });

  it('calls add() of a subclass of InMemoryRunStore that overrides it, for every run', async () => {
    class CountingStore extends InMemoryRunStore {
      readonly seen: string[] = [];
      override add(record: RunRecord): void {
        this.seen.push(`${record.taskName}:${record.status}`);
        super.add(record);
      }
    }
    const store = new CountingStore(10);
    const { app } = await createApp([Ticker], { runStore: store });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(store.seen).toEqual(['Ticker.tick:succeeded', 'Ticker.tick:succeeded']);
    const history = await app.get(TaskRegistry).getHistory('Ticker.tick');
    expect(history).toHaveLength(2);
    await closeUnderFakeTimers(app);
  });
});

@Injectable()
class Ticker {
  @Task(new Every({ seconds: 1 }))
  tick() {}
}

describe('run hook', () => {
  it('wraps every run, e.g. for tracing', async () => {
    const trace: string[] = [];
    class TracingHook extends TaskRunHook {
      override async wrap(context: TaskContext, run: () => Promise<unknown>) {
        trace.push(`begin ${context.taskName}`);
        try {
          return await run();
        } finally {
          trace.push(`end ${context.taskName}`);
        }
      }
    }
    @Injectable()
    class Traced {
      @Task(new Every({ seconds: 1 }))
      work() {
        trace.push('work');
        return 7;
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [AioClockModule.forRoot({ logger: false, runHook: TracingHook })],
      providers: [Traced],
    }).compile();
    await moduleRef.init();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(trace).toEqual(['begin Traced.work', 'work', 'end Traced.work']);
    await expect(moduleRef.get(TaskRegistry).runTask('Traced.work')).resolves.toBe(7);
    await closeUnderFakeTimers(moduleRef);
  });
});
