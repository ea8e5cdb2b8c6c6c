import { describe, expect, it } from '@jest/globals';
import {
  backgroundMessages,
  JobCancelledError,
  TaskSupervisor,
} from '../../lib/background/index.js';
import { aborted, deferred, sleep } from '../fixtures/background/deferred.js';
import { isCollected } from '../fixtures/background/gc.js';

describe('cancelling jobs', () => {
  it('removes a queued job: it never runs and the queue moves on', async () => {
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 1 } } });
    const gate = deferred();
    const ran: string[] = [];
    supervisor.submit(() => gate.promise);
    const doomed = supervisor.submit(async () => void ran.push('doomed'));
    const next = supervisor.submit(async () => void ran.push('next'));
    expect(doomed.cancel()).toBe(true);
    expect(doomed.status).toBe('cancelled');
    expect(supervisor.stats().executors.inline.queued).toBe(1);
    gate.resolve();
    await next.result;
    await expect(doomed.result).rejects.toBeInstanceOf(JobCancelledError);
    expect(ran).toEqual(['next']);
  });

  it('drops cancelled queued jobs at once, even behind a job that never ends', async () => {
    // No retention, so that the queue is the only thing that could still hold a cancelled job.
    const supervisor = new TaskSupervisor({
      pools: { inline: { poolSize: 1 } },
      retention: { max: 0 },
    });
    supervisor.submit(() => new Promise(() => {}), { name: 'hung' });
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 100_000; i++) {
      const handle = supervisor.submit(async () => i);
      handle.cancel();
      if (i % 10_000 === 0) refs.push(new WeakRef(handle));
    }
    expect(supervisor.stats()).toMatchObject({
      live: 1,
      executors: { inline: { running: 1, queued: 0, delayed: 0 } },
    });
    for (const ref of refs) expect(await isCollected(ref)).toBe(true);
  });

  it('clears the timer of a delayed job', async () => {
    const supervisor = new TaskSupervisor();
    let ran = false;
    const handle = supervisor.submit(async () => void (ran = true), { delay: 20 });
    handle.cancel();
    await sleep(40);
    expect(ran).toBe(false);
    expect(handle.status).toBe('cancelled');
    expect(handle.timeStarted).toBeNull();
  });

  it("aborts a running inline job's signal and frees its slot at once", async () => {
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 1 } } });
    let reason: unknown;
    const running = supervisor.submit(async ({ signal }) => {
      reason = await aborted(signal);
      return 'stopped';
    });
    const next = supervisor.submit(async () => 'next');
    expect(running.status).toBe('started');
    expect(running.cancel('stop now')).toBe(true);
    expect(await next.result).toBe('next');
    await expect(running.result).rejects.toThrow('was cancelled: stop now');
    expect(reason).toBe(running.error);
    // A cancelled job stays cancelled even though its work returned later.
    expect(running.status).toBe('cancelled');
  });

  it('hands a work that reads its signal late an already-aborted one', async () => {
    const supervisor = new TaskSupervisor();
    const gate = deferred();
    let signal: AbortSignal | undefined;
    const handle = supervisor.submit(async (context) => {
      await gate.promise;
      signal = context.signal;
    });
    handle.cancel();
    gate.resolve();
    await sleep(0);
    expect(signal?.aborted).toBe(true);
  });

  it("cancels through the caller's signal, before or after submission", async () => {
    const supervisor = new TaskSupervisor();
    const early = new AbortController();
    early.abort('too late');
    const preAborted = supervisor.submit(async () => 1, { signal: early.signal });
    expect(preAborted.status).toBe('cancelled');
    await expect(preAborted.result).rejects.toThrow('was cancelled: too late');

    const controller = new AbortController();
    const handle = supervisor.submit(({ signal }) => aborted(signal), {
      signal: controller.signal,
    });
    controller.abort('changed my mind');
    await expect(handle.result).rejects.toThrow('was cancelled: changed my mind');
    expect(supervisor.stats().live).toBe(0);
  });

  it('cancels with a reason that cannot be turned into a string', async () => {
    const supervisor = new TaskSupervisor();
    const handle = supervisor.submit(async () => 1, { delay: 1_000, name: 'report' });
    expect(handle.cancel(Object.create(null))).toBe(true);
    expect(handle.status).toBe('cancelled');
    await expect(handle.result).rejects.toThrow(
      backgroundMessages.cancelled('report', handle.id, {}),
    );
  });

  it('returns false for a job that already finished', async () => {
    const supervisor = new TaskSupervisor();
    const handle = supervisor.submit(async () => 1);
    await handle.result;
    expect(handle.cancel()).toBe(false);
    expect(handle.status).toBe('succeeded');
  });

  it('never runs a job cancelled by a listener of its submitted event, and frees its limit once', async () => {
    const supervisor = new TaskSupervisor({ limits: { report: { maxConcurrent: 1 } } });
    let cancelNext = true;
    supervisor.events$.subscribe((event) => {
      if (event.type === 'submitted' && cancelNext) {
        cancelNext = false;
        event.job.cancel('not today');
      }
    });
    let ran = false;
    const doomed = supervisor.submit(async () => void (ran = true), { name: 'report' });
    await expect(doomed.result).rejects.toBeInstanceOf(JobCancelledError);
    await sleep(20);
    expect(ran).toBe(false);
    expect(doomed.status).toBe('cancelled');
    // The limit was released once: one live 'report' job is allowed, a second is refused.
    const gate = deferred();
    supervisor.submit(() => gate.promise, { name: 'report' });
    expect(() => supervisor.submit(async () => 2, { name: 'report' })).toThrow(/maxConcurrent/);
    gate.resolve();
    await supervisor.shutdown();
  });
});
