import { describe, expect, it } from '@jest/globals';
import { TaskSupervisor } from '../../lib/background/index.js';
import { deferred } from '../fixtures/background/deferred.js';

/** True if `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('whenIdle', () => {
  it('resolves at once on a supervisor that never ran a job, and after shutdown', async () => {
    const supervisor = new TaskSupervisor();
    expect(await settled(supervisor.whenIdle())).toBe(true);
    await supervisor.shutdown();
    expect(await settled(supervisor.whenIdle())).toBe(true);
  });

  it('waits for queued, delayed and running jobs, and resolves with the idle event', async () => {
    const supervisor = new TaskSupervisor();
    const events: string[] = [];
    supervisor.events$.subscribe((event) => events.push(event.type));
    const gate = deferred();
    supervisor.submit(() => gate.promise);
    const delayed = supervisor.submit(async () => 1, { delay: 60_000 });
    const idle = supervisor.whenIdle();
    expect(await settled(idle)).toBe(false);
    gate.resolve();
    expect(await settled(idle)).toBe(false);
    delayed.cancel();
    expect(await settled(idle)).toBe(true);
    expect(events.at(-1)).toBe('idle');
  });
});
