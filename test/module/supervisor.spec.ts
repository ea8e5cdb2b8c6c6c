import { describe, it, expect } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Every, Task, TaskRegistry, TaskSupervisor, type JobHandle } from '../../lib/index.js';
import { createApp, sleep } from '../fixtures/testing-module.js';

describe('TaskSupervisor in the module', () => {
  it('is injectable, and a scheduled task can submit jobs and wait for them', async () => {
    @Injectable()
    class FanOut {
      constructor(private readonly supervisor: TaskSupervisor) {}
      @Task(new Every({ hours: 1 }))
      async run() {
        const handles = [3, 1, 2].map((n) =>
          this.supervisor.submit(async () => {
            await sleep(n * 5);
            return n * 10;
          }),
        );
        return this.supervisor.waitAll(handles, { timeout: 5_000 });
      }
    }
    const { app } = await createApp([FanOut]);
    await expect(app.get(TaskRegistry).runTask('FanOut.run')).resolves.toEqual([30, 10, 20]);
    await app.close();
  });

  it('at shutdown waits for running jobs up to shutdownTimeout, then cancels the rest', async () => {
    const { app } = await createApp([], {
      shutdownTimeout: 200,
      supervisor: { pools: { inline: { poolSize: 2, reserveNormal: 0 } } },
    });
    const supervisor = app.get(TaskSupervisor);
    const quick = supervisor.submit(async () => {
      await sleep(20);
      return 'quick';
    });
    await sleep(5);
    const stubborn: JobHandle = supervisor.submit(() => new Promise(() => {}), {
      name: 'stubborn',
    });
    const queued = supervisor.submit(async () => 'never', { name: 'queued' });
    expect(stubborn.status).toBe('started');
    expect(queued.status).toBe('queued');
    const closing = Date.now();
    await app.close();
    // The running stubborn job held shutdown for the whole timeout before it was cancelled.
    expect(Date.now() - closing).toBeGreaterThanOrEqual(150);
    await expect(quick.result).resolves.toBe('quick');
    expect(stubborn.status).toBe('cancelled');
    expect(queued.status).toBe('cancelled');
    expect(() => supervisor.submit(async () => 1)).toThrow();
  });
});
