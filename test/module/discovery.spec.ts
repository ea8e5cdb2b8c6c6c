import { describe, it, expect, jest, afterEach } from '@jest/globals';
import { Controller, Injectable, Scope } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AioClockModule,
  Every,
  Once,
  Task,
  TaskDeclarationError,
  TaskGroup,
  TaskNotFoundError,
  TaskRegistry,
  taskIdFromName,
} from '../../lib/index.js';
import { closeUnderFakeTimers, createApp } from '../fixtures/testing-module.js';

afterEach(() => {
  jest.useRealTimers();
});

@Injectable()
class Reports {
  @Task(new Every({ hours: 1 }))
  hourly() {}

  @Task(new Every({ days: 1 }), { name: 'daily-report', timeout: 5_000 })
  daily() {}
}

@TaskGroup('billing', { timeout: 30_000, overlap: 'queue' })
@Injectable()
class Billing {
  @Task(new Every({ minutes: 5 }))
  charge() {}

  @Task(new Every({ minutes: 5 }), { timeout: 1_000 })
  refund() {}
}

@Controller()
class HealthController {
  @Task(new Every({ seconds: 30 }))
  ping() {}
}

describe('discovery', () => {
  it('finds tasks on providers and controllers, with default and explicit names', async () => {
    const { app } = await createApp(
      [Reports, Billing],
      { enabled: false },
      { controllers: [HealthController] },
    );
    const names = app
      .get(TaskRegistry)
      .getTasks()
      .map((task) => task.name);
    expect(names.sort()).toEqual([
      'HealthController.ping',
      'Reports.hourly',
      'billing.charge',
      'billing.refund',
      'daily-report',
    ]);
    await app.close();
  });

  it('applies group defaults, and a task option wins over its group', async () => {
    const { app } = await createApp([Billing], { enabled: false });
    const registry = app.get(TaskRegistry);
    expect(registry.getTask('billing.charge')).toMatchObject({
      group: 'billing',
      policies: { timeout: 30_000, overlap: 'queue' },
    });
    expect(registry.getTask('billing.refund').policies.timeout).toBe(1_000);
    await app.close();
  });

  it('derives stable UUIDs from task names', async () => {
    const { app } = await createApp([Reports], { enabled: false });
    const task = app.get(TaskRegistry).getTask('daily-report');
    expect(task.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(task.id).toBe(taskIdFromName('daily-report'));
    expect(taskIdFromName('daily-report')).not.toBe(taskIdFromName('Reports.hourly'));
    expect(app.get(TaskRegistry).getTask(task.id).name).toBe('daily-report');
    await app.close();
  });

  it('throws TaskNotFoundError for an unknown id or name', async () => {
    const { app } = await createApp([Reports], { enabled: false });
    expect(() => app.get(TaskRegistry).getTask('nope')).toThrow(TaskNotFoundError);
    await expect(app.get(TaskRegistry).runTask('nope')).rejects.toThrow(
      'No task with id or name "nope"',
    );
    await app.close();
  });

  it('rejects two tasks with the same name, naming both', async () => {
    @Injectable()
    class A {
      @Task(new Every({ seconds: 1 }), { name: 'sync' })
      run() {}
    }
    @Injectable()
    class B {
      @Task(new Every({ seconds: 1 }), { name: 'sync' })
      go() {}
    }
    await expect(createApp([A, B], { enabled: false })).rejects.toThrow(
      'Two tasks are named "sync": A.run and B.go',
    );
  });

  it('rejects one trigger instance shared by two tasks', async () => {
    const shared = new Every({ seconds: 1 });
    @Injectable()
    class Shared {
      @Task(shared)
      one() {}
      @Task(shared)
      two() {}
    }
    await expect(createApp([Shared], { enabled: false })).rejects.toThrow(
      /Shared\.one and Shared\.two share one trigger instance/,
    );
  });

  it('rejects @Task on a request-scoped provider and explains why', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @Task(new Every({ seconds: 1 }))
      tick() {}
    }
    const failure = createApp([PerRequest], { enabled: false });
    await expect(failure).rejects.toThrow(TaskDeclarationError);
    await expect(createApp([PerRequest], { enabled: false })).rejects.toThrow(
      /PerRequest\.tick .*request-scoped/,
    );
  });

  it('rejects @Task on a transient provider, saying it is transient', async () => {
    @Injectable({ scope: Scope.TRANSIENT })
    class PerConsumer {
      @Task(new Every({ seconds: 1 }))
      tick() {}
    }
    await expect(createApp([PerConsumer], { enabled: false })).rejects.toThrow(
      /PerConsumer\.tick cannot be scheduled: PerConsumer is transient/,
    );
  });

  it('rejects @Task on a static method where it is declared', () => {
    expect(() => {
      class Statics {
        @Task(new Every({ seconds: 1 }))
        static tick() {}
      }
      return Statics;
    }).toThrow('Statics.tick: @Task decorates instance methods of a provider, not static methods.');
  });

  it('rejects two @Task decorators on one method and a non-trigger', () => {
    expect(() => {
      class Twice {
        @Task(new Every({ seconds: 1 }))
        @Task(new Once())
        run() {}
      }
      return Twice;
    }).toThrow('Twice.run has more than one @Task: combine the triggers with OrTrigger.');
    expect(() => {
      class NotATrigger {
        @Task({} as never)
        run() {}
      }
      return NotATrigger;
    }).toThrow('NotATrigger.run: @Task needs a trigger');
  });

  it('rejects bad policies at bootstrap, naming the task and the field', async () => {
    @Injectable()
    class BadTimeout {
      @Task(new Every({ seconds: 1 }), { timeout: -5 })
      run() {}
    }
    await expect(createApp([BadTimeout], { enabled: false })).rejects.toThrow(
      'Task "BadTimeout.run": invalid option timeout',
    );
    @Injectable()
    class HugeTimeout {
      @Task(new Every({ seconds: 1 }), { timeout: 2 ** 31 })
      run() {}
    }
    await expect(createApp([HugeTimeout], { enabled: false })).rejects.toThrow(
      'Task "HugeTimeout.run": invalid option timeout: must be at most 2147483647 ms',
    );
  });

  it('rejects bad module options, naming the field', async () => {
    await expect(createApp([Reports], { timeZone: 'Mars/Olympus' })).rejects.toThrow(
      'AioClockModule: invalid option timeZone: unknown IANA time zone "Mars/Olympus"',
    );
    await expect(createApp([Reports], { shutdownTimeout: -1 })).rejects.toThrow(
      'AioClockModule: invalid option shutdownTimeout',
    );
    // Node would turn a longer timer into 1 ms and abort every run at once.
    await expect(createApp([Reports], { shutdownTimeout: 3_000_000_000 })).rejects.toThrow(
      'AioClockModule: invalid option shutdownTimeout: must be at most 2147483647 ms',
    );
  });

  it('works with forRoot() and no options at all', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    @Injectable()
    class Ticker {
      runs = 0;
      @Task(new Every({ seconds: 1 }))
      tick() {
        this.runs++;
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [AioClockModule.forRoot()],
      providers: [Ticker],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(app.get(Ticker).runs).toBe(2);
    expect(app.get(TaskRegistry).getTask('Ticker.tick').name).toBe('Ticker.tick');
    await closeUnderFakeTimers(app, 1_000);
  });

  it('configures asynchronously with forRootAsync', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const moduleRef = await Test.createTestingModule({
      imports: [
        AioClockModule.forRootAsync({
          useFactory: async () => ({ enabled: false, logger: false as const }),
        }),
      ],
      providers: [Reports],
    }).compile();
    await moduleRef.init();
    const registry = moduleRef.get(TaskRegistry);
    expect(registry.getTasks()).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(registry.getTask('Reports.hourly').runCount).toBe(0);
    await moduleRef.close();
  });
});
