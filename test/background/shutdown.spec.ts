import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SupervisorClosedError, TaskSupervisor } from '../../lib/background/index.js';
import { aborted, sleep } from '../fixtures/background/deferred.js';

const EXIT_SCRIPT = fileURLToPath(
  new URL('../fixtures/background/exit-after-shutdown.ts', import.meta.url),
);

describe('shutdown', () => {
  it('waits for running jobs, cancels queued and delayed ones, and refuses new submissions', async () => {
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 1 } } });
    const running = supervisor.submit(async () => {
      await sleep(50);
      return 'finished';
    });
    const queued = supervisor.submit(async () => 'queued');
    const delayed = supervisor.submit(async () => 'delayed', { delay: 10 });
    const closing = supervisor.shutdown({ timeout: 2_000 });
    expect(() => supervisor.submit(async () => 1, { name: 'late' })).toThrow(
      new SupervisorClosedError('late'),
    );
    expect(queued.status).toBe('cancelled');
    expect(delayed.status).toBe('cancelled');
    await closing;
    expect(running.status).toBe('succeeded');
    await expect(queued.result).rejects.toThrow('was cancelled: the supervisor is shutting down');
    expect(supervisor.shutdown()).toBe(closing);
  });

  it('cancels running jobs still going when the grace period ends', async () => {
    const supervisor = new TaskSupervisor();
    const stubborn = supervisor.submit(() => new Promise(() => {}));
    let reason: unknown;
    const polite = supervisor.submit(async ({ signal }) => {
      reason = await aborted(signal);
    });
    const started = Date.now();
    await supervisor.shutdown({ timeout: 50 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect([stubborn.status, polite.status]).toEqual(['cancelled', 'cancelled']);
    await expect(stubborn.result).rejects.toThrow('grace period ran out');
    expect(reason).toBe(polite.error);
  });

  it('runs queued and delayed jobs during the grace period with drainQueue', async () => {
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 1 } } });
    const first = supervisor.submit(() => sleep(20));
    const queued = supervisor.submit(async () => 'queued');
    const delayed = supervisor.submit(async () => 'delayed', { delay: 30 });
    await supervisor.shutdown({ timeout: 2_000, drainQueue: true });
    expect([first.status, queued.status, delayed.status]).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });

  it('resolves at once when nothing is running', async () => {
    const supervisor = new TaskSupervisor();
    const started = Date.now();
    await supervisor.shutdown({ timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('leaves nothing that keeps the process alive, with inline, thread and process jobs running', async () => {
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', EXIT_SCRIPT],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    // A leaked timer (60 s), thread or child process would keep it alive far past this bound.
    const code = await new Promise<number | null | 'hung'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('hung');
      }, 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
  });

  it('refuses a grace period no timer can hold, instead of ending it at once', async () => {
    const supervisor = new TaskSupervisor();
    const running = supervisor.submit(async () => {
      await sleep(20);
      return 'done';
    });
    expect(() => supervisor.shutdown({ timeout: 3_000_000_000 })).toThrow(
      'TaskSupervisor.shutdown: invalid option timeout: must be at most 2147483647 ms',
    );
    expect(() => supervisor.shutdown({ timeout: Infinity })).toThrow(
      'TaskSupervisor.shutdown: invalid option timeout: must be a finite number >= 0',
    );
    await expect(running.result).resolves.toBe('done');
    await supervisor.shutdown();
  });
});
