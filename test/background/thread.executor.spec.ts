import { afterEach, describe, expect, it } from '@jest/globals';
import { threadId } from 'node:worker_threads';
import {
  JobArgumentsError,
  JobCancelledError,
  RemoteJobError,
  TaskSupervisor,
  WorkerCrashedError,
} from '../../lib/background/index.js';
import { until } from '../fixtures/background/deferred.js';

const JOBS = new URL('../fixtures/background/jobs.mjs', import.meta.url);
const job = (fn: string, ...args: unknown[]) => ({ module: JOBS, fn, args });

describe('thread executor', () => {
  let supervisor: TaskSupervisor;

  afterEach(() => supervisor.shutdown({ timeout: 0 }));

  it('runs the named export in a worker thread and returns its value', async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 2 } } });
    const sum = supervisor.submit<number>(job('add', 2, 3));
    const where = supervisor.submit<{ threadId: number }>(job('whereAmI'));
    expect(sum.executor).toBe('thread');
    expect(await sum.result).toBe(5);
    expect((await where.result).threadId).not.toBe(threadId);
  });

  it('accepts a plain path as the module and fails the job when the export is missing', async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
    const byPath = supervisor.submit<number>({ module: JOBS.pathname, fn: 'add', args: [1, 1] });
    expect(await byPath.result).toBe(2);
    const missing = supervisor.submit({ module: JOBS, fn: 'nope' });
    await expect(missing.result).rejects.toThrow('"nope" is not a function exported by');
    expect(missing.status).toBe('failed');
  });

  it("fails the job with the function's error, name, message and own fields intact", async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
    const handle = supervisor.submit(job('fail', 'bad input'));
    const error = await handle.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteJobError);
    expect(error).toMatchObject({ name: 'RangeError', message: 'bad input', code: 'E_JOB' });
    expect(handle.status).toBe('failed');
  });

  it('fails the job with its own error when the error has fields that cannot be cloned', async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
    const handle = supervisor.submit(job('failWithUnclonableFields', 'upstream 503'), {
      executor: 'thread',
    });
    const error = await handle.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteJobError);
    expect(error).toMatchObject({ message: 'upstream 503', code: 'E_HTTP' });
    expect(error).not.toHaveProperty('retry');
    expect(error).not.toHaveProperty('config');
    expect(handle.status).toBe('failed');
  });

  it.each([
    ['a null-prototype object', 'throwNullPrototype', '[object Object]'],
    [
      'an Error whose name, message and fields throw when read',
      'throwBrokenError',
      '[object Error]',
    ],
  ])(
    'fails the job with its own error, on the same thread, when it throws %s',
    async (_, fn, message) => {
      supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
      const before = await supervisor.submit<{ threadId: number }>(job('whereAmI')).result;
      const handle = supervisor.submit(job(fn));
      const error = await handle.result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteJobError);
      expect(error).toMatchObject({ name: 'Error', message });
      expect(handle.status).toBe('failed');
      const after = await supervisor.submit<{ threadId: number }>(job('whereAmI')).result;
      expect(after.threadId).toBe(before.threadId);
    },
  );

  it('fails clearly, without losing the worker, on a result or arguments that cannot be cloned', async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
    const result = supervisor.submit(job('unclonable'));
    await expect(result.result).rejects.toThrow(
      'the value returned by "unclonable" cannot be sent back',
    );
    const args = supervisor.submit(
      job('add', () => 1, 2),
      { name: 'add-fn' },
    );
    await expect(args.result).rejects.toBeInstanceOf(JobArgumentsError);
    await expect(args.result).rejects.toThrow(
      `Job "add-fn" (${args.id}) has arguments that cannot be sent to a worker`,
    );
    expect(await supervisor.submit<number>(job('add', 1, 2)).result).toBe(3);
  });

  it.each([
    ['an uncaught exception', job('crashUncaught', 'kaboom'), /lost its worker thread: kaboom/],
    ['process.exit', job('exitWorker', 3), /lost its worker thread: worker exited with code: 3/],
  ])(
    'fails the job with WorkerCrashedError on %s and keeps the pool healthy',
    async (_, work, message) => {
      supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
      const crashed = supervisor.submit(work, { name: 'crasher' });
      const error = await crashed.result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain('Job "crasher"');
      expect(await supervisor.submit<number>(job('add', 1, 2)).result).toBe(3);
    },
  );

  it('terminates a running job on cancel and replaces the worker', async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
    const spinning = supervisor.submit(job('spin', 30_000));
    await until(() => spinning.status === 'started');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = Date.now();
    expect(spinning.cancel('enough')).toBe(true);
    await expect(spinning.result).rejects.toBeInstanceOf(JobCancelledError);
    expect(spinning.status).toBe('cancelled');
    // The next job can only run if the spinning thread was really terminated (pool of 1).
    expect(await supervisor.submit<number>(job('add', 4, 4)).result).toBe(8);
    expect(Date.now() - before).toBeLessThan(10_000);
  });

  it('times out a running job and terminates its thread', async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 1 } } });
    const slow = supervisor.submit(job('spin', 30_000), { timeout: 100 });
    await expect(slow.result).rejects.toThrow(/timed out after 100 ms/);
    expect(slow.status).toBe('timedOut');
    expect(await supervisor.submit<number>(job('add', 1, 1)).result).toBe(2);
  });

  it('keeps the event loop responsive while 4 threads compute', async () => {
    supervisor = new TaskSupervisor({ pools: { thread: { poolSize: 4 } } });
    // Warm the pool so that thread start-up is not part of the measurement.
    await supervisor.waitAll([1, 2, 3, 4].map(() => supervisor.submit(job('add', 0, 0))));
    let maxGap = 0;
    let ticks = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const spinMs = 800;
    const handles = [1, 2, 3, 4].map(() =>
      supervisor.submit<{ threadId: number }>(job('spin', spinMs)),
    );
    const results = await supervisor.waitAll(handles);
    clearInterval(timer);
    expect(results.every((r) => r.threadId !== threadId)).toBe(true);
    // Had the work run on the event loop, the gap would be at least spinMs (800 ms). 200 ms leaves
    // room for a loaded 2-core machine, where 4 busy threads compete with the main one.
    expect(maxGap).toBeLessThan(200);
    expect(ticks).toBeGreaterThan(10);
  });
});
