import { afterEach, describe, expect, it } from '@jest/globals';
import {
  JobCancelledError,
  RemoteJobError,
  TaskSupervisor,
  WorkerCrashedError,
} from '../../lib/background/index.js';
import { until } from '../fixtures/background/deferred.js';

const JOBS = new URL('../fixtures/background/jobs.mjs', import.meta.url);
const job = (fn: string, ...args: unknown[]) => ({ module: JOBS, fn, args });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('process executor', () => {
  let supervisor: TaskSupervisor;

  afterEach(() => supervisor.shutdown({ timeout: 0 }));

  it('runs the named export in a child process, with structured-clone arguments', async () => {
    supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
    const where = supervisor.submit<{ pid: number }>(job('whereAmI'), { executor: 'process' });
    const sum = supervisor.submit<number>(job('add', 40, 2), { executor: 'process' });
    expect((await where.result).pid).not.toBe(process.pid);
    expect(await sum.result).toBe(42);
  });

  it("fails the job with the function's error", async () => {
    supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
    const handle = supervisor.submit(job('fail', 'nope'), { executor: 'process' });
    const error = await handle.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteJobError);
    expect(error).toMatchObject({ name: 'RangeError', message: 'nope', code: 'E_JOB' });
  });

  it('fails the job with its own error, in the same child, when the error has fields that cannot be cloned', async () => {
    supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
    const first = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
      executor: 'process',
    }).result;
    const handle = supervisor.submit(job('failWithUnclonableFields', 'upstream 503'), {
      executor: 'process',
    });
    const error = await handle.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteJobError);
    expect(error).toMatchObject({ message: 'upstream 503', code: 'E_HTTP' });
    expect(error).not.toHaveProperty('retry');
    const again = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
      executor: 'process',
    }).result;
    expect(again.pid).toBe(first.pid);
  });

  it.each([
    ['a null-prototype object', 'throwNullPrototype', '[object Object]'],
    [
      'an Error whose name, message and fields throw when read',
      'throwBrokenError',
      '[object Error]',
    ],
  ])(
    'fails the job with its own error, in the same child, when it throws %s',
    async (_, fn, message) => {
      supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
      const first = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
        executor: 'process',
      }).result;
      const handle = supervisor.submit(job(fn), { executor: 'process' });
      const error = await handle.result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteJobError);
      expect(error).toMatchObject({ name: 'Error', message });
      expect(handle.status).toBe('failed');
      const again = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
        executor: 'process',
      }).result;
      expect(again.pid).toBe(first.pid);
    },
  );

  it('fails a job whose result cannot be cloned without killing the child', async () => {
    supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
    const first = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
      executor: 'process',
    }).result;
    const handle = supervisor.submit(job('unclonable'), { executor: 'process' });
    await expect(handle.result).rejects.toThrow('cannot be sent back');
    const again = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
      executor: 'process',
    }).result;
    expect(again.pid).toBe(first.pid);
  });

  it.each([
    ['exits', job('exitWorker', 7)],
    // The child prints the uncaught error to stderr before it dies; that output is expected.
    ['throws an uncaught exception', job('crashUncaught', 'child kaboom')],
  ])(
    'fails the job with WorkerCrashedError when the child %s, and keeps the pool healthy',
    async (_, work) => {
      supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
      const crashed = supervisor.submit(work, { executor: 'process' });
      await expect(crashed.result).rejects.toThrow(WorkerCrashedError);
      await expect(crashed.result).rejects.toThrow(
        /lost its worker process: Worker exited unexpectedly/,
      );
      const next = supervisor.submit<number>(job('add', 1, 1), { executor: 'process' });
      expect(await next.result).toBe(2);
    },
  );

  it('kills the child of a cancelled running job and replaces it', async () => {
    supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
    const where = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
      executor: 'process',
    }).result;
    const sleeping = supervisor.submit(job('sleep', 30_000), { executor: 'process' });
    await until(() => sleeping.status === 'started');
    expect(sleeping.cancel()).toBe(true);
    await expect(sleeping.result).rejects.toBeInstanceOf(JobCancelledError);
    await until(() => !isAlive(where.pid));
    const next = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
      executor: 'process',
    }).result;
    expect(next.pid).not.toBe(where.pid);
  });

  it('kills idle child processes at shutdown', async () => {
    supervisor = new TaskSupervisor({ pools: { process: { poolSize: 1 } } });
    const { pid } = await supervisor.submit<{ pid: number }>(job('whereAmI'), {
      executor: 'process',
    }).result;
    expect(isAlive(pid)).toBe(true);
    await supervisor.shutdown();
    await until(() => !isAlive(pid));
  });
});
