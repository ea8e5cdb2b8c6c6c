import { describe, expect, it } from '@jest/globals';
import {
  backgroundMessages,
  TaskSupervisor,
  WaitTimeoutError,
} from '../../lib/background/index.js';
import { deferred, sleep } from '../fixtures/background/deferred.js';

describe('waitAll', () => {
  it('resolves with the results in submission order, whatever order they finish in', async () => {
    const supervisor = new TaskSupervisor();
    const handles = [30, 5, 15].map((ms) =>
      supervisor.submit(async () => {
        await sleep(ms);
        return ms;
      }),
    );
    expect(await supervisor.waitAll(handles, { timeout: 5_000 })).toEqual([30, 5, 15]);
  });

  it('types a tuple of handles as a tuple of values', async () => {
    const supervisor = new TaskSupervisor();
    const [text, count] = await supervisor.waitAll([
      supervisor.submit(async () => 'a'),
      supervisor.submit(async () => 2),
    ] as const);
    const check: [string, number] = [text, count];
    expect(check).toEqual(['a', 2]);
  });

  it('rejects at the deadline naming the unfinished jobs, and cancels nothing', async () => {
    const supervisor = new TaskSupervisor();
    const gate = deferred<string>();
    const done = supervisor.submit(async () => 'quick', { name: 'quick' });
    const stuck = supervisor.submit(() => gate.promise, { name: 'stuck' });
    const started = Date.now();
    const error = await supervisor.waitAll([done, stuck], { timeout: 50 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).message).toBe(
      `waitAll timed out after 50 ms; 1 still unfinished: "stuck" (${stuck.id})`,
    );
    expect((error as WaitTimeoutError).unfinished).toEqual([stuck]);
    expect(stuck.status).toBe('started');
    gate.resolve('eventually');
    expect(await stuck.result).toBe('eventually');
  });

  it('names only the first unfinished jobs in the message, and keeps them all on the error', async () => {
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 1 } } });
    const handles = Array.from({ length: 1_000 }, (_, i) =>
      supervisor.submit(() => new Promise(() => {}), { name: `export-${i}` }),
    );
    const error = await supervisor.waitAll(handles, { timeout: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    const { message, unfinished } = error as WaitTimeoutError;
    expect(message).toBe(backgroundMessages.waitTimeout(10, handles));
    expect(message).toMatch(/; 1000 still unfinished: "export-0" \(job-\d+\), .* and 990 more$/);
    expect(message.length).toBeLessThan(1_000);
    expect(unfinished).toHaveLength(1_000);
    await supervisor.shutdown({ timeout: 0 });
  });

  it('rejects with the first failure, as Promise.all does', async () => {
    const supervisor = new TaskSupervisor();
    const handles = [
      supervisor.submit(async () => 1),
      supervisor.submit(async () => Promise.reject(new Error('second failed'))),
    ];
    await expect(supervisor.waitAll(handles, { timeout: 1_000 })).rejects.toThrow('second failed');
  });

  it('refuses a timeout no timer can hold, before anything is awaited', async () => {
    // Jest fails this test by itself if the failed job's rejection is left unhandled.
    const supervisor = new TaskSupervisor();
    const failing = supervisor.submit(async () => Promise.reject(new Error('job failed')));
    for (const timeout of [-1, 3_000_000_000, Infinity]) {
      expect(() => supervisor.waitAll([failing], { timeout })).toThrow(
        'TaskSupervisor.waitAll: invalid option timeout',
      );
    }
    await failing.result.catch(() => undefined);
    await sleep(20);
  });
});
