import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  At,
  Cron,
  Every,
  OnShutDown,
  OnStartUp,
  Once,
  OrTrigger,
  Task,
  TaskDeclarationError,
  TaskRegistry,
} from '../../lib/index.js';
import { messages } from '../../lib/errors.js';
import { closeUnderFakeTimers, createApp } from '../fixtures/testing-module.js';

// Issue 9: one decorated class serves every testing module built from it, one after the other or
// at the same time, as `@nestjs/schedule`'s does. The classes are declared once, as users do.

const T0 = new Date('2026-01-01T00:00:00Z');

@Injectable()
class Lifecycle {
  startups = 0;
  onces = 0;
  ticks = 0;
  shutdowns = 0;

  @Task(new OnStartUp())
  warmUp() {
    this.startups++;
  }

  @Task(new Once())
  once() {
    this.onces++;
  }

  @Task(new Every({ seconds: 1, maxLoopCount: 3 }))
  tick() {
    this.ticks++;
  }

  @Task(new OnShutDown())
  farewell() {
    this.shutdowns++;
  }
}

@Injectable()
class Lunch {
  /** 12:00 in the module's zone, else the system's. */
  @Task(new At({ hour: 12 }))
  bell() {}
}

const shared = new Every({ seconds: 5 });

@Injectable()
class SharedChild {
  @Task(shared)
  direct() {}

  @Task(new OrTrigger([shared, new Cron('0 * * * *')]))
  either() {}
}

/** The first 12:00 at or after `from` in the system zone (the zone a module without one uses). */
function nextLocalNoon(from: Date): Date {
  const noon = new Date(from.getFullYear(), from.getMonth(), from.getDate(), 12, 0, 0, 0);
  if (noon.getTime() < from.getTime()) noon.setDate(noon.getDate() + 1);
  return noon;
}

const apps: TestingModule[] = [];
let app: TestingModule;

beforeEach(async () => {
  jest.useFakeTimers({ now: T0 });
  ({ app } = await createApp([Lifecycle, Lunch]));
  apps.push(app);
});

afterEach(async () => {
  // Closing twice is harmless; a test that closed its app already has nothing left to drain.
  for (const open of apps.splice(0)) await closeUnderFakeTimers(open);
  jest.useRealTimers();
});

/** What every module built from Lifecycle and Lunch must do, however many came before it. */
async function expectFreshBehaviour(module: TestingModule): Promise<void> {
  const lifecycle = module.get(Lifecycle);
  expect(module.get(TaskRegistry).getTask('Lunch.bell').nextRunAt).toEqual(nextLocalNoon(T0));
  expect(lifecycle.startups).toBe(1);
  await jest.advanceTimersByTimeAsync(10_000);
  expect(lifecycle).toMatchObject({ startups: 1, onces: 1, ticks: 3, shutdowns: 0 });
  await closeUnderFakeTimers(module);
  expect(lifecycle.shutdowns).toBe(1);
}

describe('one decorated class, a testing module per test', () => {
  it('test A: startup, once, the loop budget, the zone and shutdown behave as in a fresh process', async () => {
    await expectFreshBehaviour(app);
  });

  it('test B: the same again', async () => {
    await expectFreshBehaviour(app);
  });

  it('test C: and again', async () => {
    await expectFreshBehaviour(app);
  });

  it("a module's timeZone applies to that module only, not to the next one built", async () => {
    await closeUnderFakeTimers(app);
    const { app: tokyo } = await createApp([Lifecycle, Lunch], { timeZone: 'Asia/Tokyo' });
    apps.push(tokyo);
    // 12:00 in Tokyo (UTC+9) on 1 January 2026 is 03:00 UTC.
    expect(tokyo.get(TaskRegistry).getTask('Lunch.bell').nextRunAt).toEqual(
      new Date('2026-01-01T03:00:00Z'),
    );
    await closeUnderFakeTimers(tokyo);

    const { app: plain } = await createApp([Lifecycle, Lunch]);
    apps.push(plain);
    await expectFreshBehaviour(plain);
  });

  it('two modules alive at once each get the whole loop budget and their own lifecycle', async () => {
    const { app: second } = await createApp([Lifecycle, Lunch]);
    apps.push(second);
    await jest.advanceTimersByTimeAsync(10_000);
    expect([app, second].map((module) => module.get(Lifecycle).ticks)).toEqual([3, 3]);
    for (const module of [app, second]) {
      expect(module.get(Lifecycle)).toMatchObject({ startups: 1, onces: 1, ticks: 3 });
      expect(module.get(TaskRegistry).getTask('Lifecycle.tick').runCount).toBe(3);
    }
    await closeUnderFakeTimers(second);
    expect(second.get(Lifecycle).shutdowns).toBe(1);
    expect(app.get(Lifecycle).shutdowns).toBe(0);
    await closeUnderFakeTimers(app);
    expect(app.get(Lifecycle).shutdowns).toBe(1);
  });

  it('a trigger that is also an OrTrigger child of another task of the app is a bootstrap error naming both', async () => {
    const failure = createApp([SharedChild]);
    await expect(failure).rejects.toThrow(TaskDeclarationError);
    await expect(failure).rejects.toThrow(
      messages.sharedTrigger('SharedChild.direct', 'SharedChild.either'),
    );
  });
});
