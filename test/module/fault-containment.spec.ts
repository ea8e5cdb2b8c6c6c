import { describe, it, expect, jest } from '@jest/globals';
import { Injectable, type LoggerService } from '@nestjs/common';
import {
  BaseTrigger,
  Every,
  Forever,
  Task,
  TaskRegistry,
  type TriggerDescription,
} from '../../lib/index.js';
import { closeUnderFakeTimers, createApp } from '../fixtures/testing-module.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

// Issue 9: a fault in one task (what it throws, the logger, its trigger) stays inside that task:
// the others keep running and the timer queue keeps firing.

useFakeClock();

/** Values whose String() throws, as a careless library may throw them. */
function nullPrototype(): unknown {
  return Object.create(null);
}
function throwingToString(): unknown {
  return {
    toString() {
      throw new Error('toString is broken');
    },
  };
}
function throwingMessage(): unknown {
  const error = new Error('never read');
  Object.defineProperty(error, 'message', {
    get() {
      throw new Error('message is broken');
    },
  });
  return error;
}

/** A logger that throws from every method, as a misconfigured transport may. */
class ThrowingLogger implements LoggerService {
  calls = 0;
  log(): void {
    this.fail();
  }
  warn(): void {
    this.fail();
  }
  error(): void {
    this.fail();
  }
  debug(): void {
    this.fail();
  }
  private fail(): never {
    this.calls++;
    throw new Error('log transport down');
  }
}

/**
 * A user's trigger: fires every second twice, then its schedule breaks (and, optionally, so does
 * its description). `getWaitingTimeTillNextTrigger` is what the pre-v2 scheduler asked.
 */
class BreakingTrigger extends BaseTrigger {
  private asked = 0;
  constructor(
    private readonly thrown: () => unknown,
    private readonly describeThrows: boolean,
  ) {
    super();
  }
  override nextWait(): number {
    if (++this.asked > 2) throw this.thrown();
    return 1_000;
  }
  override getWaitingTimeTillNextTrigger(): number | null {
    return this.nextWait();
  }
  describe(): TriggerDescription {
    if (this.describeThrows) throw new Error('describe is broken');
    return { type: 'Breaking' };
  }
}

describe('fault containment', () => {
  it('a task that throws a value whose String() throws fails alone, with a safe description in history', async () => {
    @Injectable()
    class Careless {
      healthyRuns = 0;
      @Task(new Every({ seconds: 1 }))
      nullPrototype() {
        throw nullPrototype();
      }
      @Task(new Every({ seconds: 1 }))
      throwingToString() {
        throw throwingToString();
      }
      @Task(new Every({ seconds: 1 }))
      async throwingMessage() {
        throw throwingMessage();
      }
      @Task(new Every({ seconds: 1 }))
      async healthy() {
        this.healthyRuns++;
      }
    }
    const { app, logger } = await createApp([Careless]);
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(5_000);

    // Every task fired in the same wake-ups, and none of them is stuck "running".
    expect(app.get(Careless).healthyRuns).toBe(5);
    for (const task of registry.getTasks()) {
      expect({ name: task.name, running: task.running }).toEqual({
        name: task.name,
        running: false,
      });
      expect(task.runCount).toBe(5);
    }
    for (const name of [
      'Careless.nullPrototype',
      'Careless.throwingToString',
      'Careless.throwingMessage',
    ]) {
      expect(registry.getTask(name).counters.failed).toBe(5);
      const [last] = await registry.getHistory(name, { limit: 1 });
      expect(last.status).toBe('failed');
      expect(typeof last.error?.name).toBe('string');
      expect(typeof last.error?.message).toBe('string');
      expect(last.error?.message.length).toBeGreaterThan(0);
      expect(logger.errors.some(({ message }) => message.includes(`"${name}" failed`))).toBe(true);
    }
    await closeUnderFakeTimers(app);
  });

  it('a logger that throws from every method never stops scheduling', async () => {
    @Injectable()
    class Noisy {
      healthyRuns = 0;
      @Task(new Every({ seconds: 1 }))
      fails() {
        throw new Error('boom'); // logged with error()
      }
      @Task(new Every({ seconds: 1 }), { timeout: 500, overlap: 'skip' })
      async hangs() {
        await new Promise(() => {}); // times out: logged with warn()
      }
      @Task(new Forever(), { overlap: 'skip' })
      async busy() {
        await new Promise((resolve) => setTimeout(resolve, 2_500));
      }
      @Task(new Every({ seconds: 1 }))
      healthy() {
        this.healthyRuns++;
      }
    }
    const throwing = new ThrowingLogger();
    const { app } = await createApp([Noisy], { logger: throwing });
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(5_000);

    expect(throwing.calls).toBeGreaterThan(0);
    expect(app.get(Noisy).healthyRuns).toBe(5);
    expect(registry.getTask('Noisy.fails').counters.failed).toBe(5);
    expect(registry.getTask('Noisy.hangs').counters.timedOut).toBeGreaterThanOrEqual(3);
    expect(registry.getTask('Noisy.fails').running).toBe(false);
    // Shutdown logs too (what it waits for); it must still end.
    await closeUnderFakeTimers(app);
  });

  it('a trigger whose describe() throws, when its schedule fails, stops only its task and getTasks() lists every task', async () => {
    @Injectable()
    class Custom {
      healthyRuns = 0;
      brokenRuns = 0;
      @Task(new BreakingTrigger(() => new Error('schedule lost'), true))
      broken() {
        this.brokenRuns++;
      }
      @Task(new Every({ seconds: 1 }))
      healthy() {
        this.healthyRuns++;
      }
    }
    const { app, logger } = await createApp([Custom]);
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(5_000);

    expect(app.get(Custom)).toMatchObject({ brokenRuns: 2, healthyRuns: 5 });
    const tasks = registry.getTasks();
    expect(tasks.map((task) => task.name)).toEqual(['Custom.broken', 'Custom.healthy']);
    expect(tasks[0].nextRunAt).toBeNull();
    expect(tasks[1].nextRunAt).not.toBeNull();
    expect(registry.getTask('Custom.broken').trigger.type).toEqual(expect.any(String));
    expect(logger.errors.some(({ message }) => message.includes('schedule lost'))).toBe(true);
    await closeUnderFakeTimers(app);
  });

  it('a trigger whose nextWait throws a value without a prototype stops only its task', async () => {
    @Injectable()
    class Custom {
      healthyRuns = 0;
      brokenRuns = 0;
      @Task(new BreakingTrigger(nullPrototype, false))
      broken() {
        this.brokenRuns++;
      }
      @Task(new Every({ seconds: 1 }))
      healthy() {
        this.healthyRuns++;
      }
    }
    const { app, logger } = await createApp([Custom]);
    const registry = app.get(TaskRegistry);
    await jest.advanceTimersByTimeAsync(5_000);

    expect(app.get(Custom)).toMatchObject({ brokenRuns: 2, healthyRuns: 5 });
    expect(registry.getTask('Custom.broken').nextRunAt).toBeNull();
    expect(registry.getTask('Custom.healthy').nextRunAt).not.toBeNull();
    expect(logger.errors.some(({ message }) => message.includes('"Custom.broken"'))).toBe(true);
    await closeUnderFakeTimers(app);
  });
});
