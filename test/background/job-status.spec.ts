import { describe, expect, it } from '@jest/globals';
import {
  JobCancelledError,
  JobTimeoutError,
  TaskSupervisor,
  type BackgroundEvent,
  type JobHandle,
  type JobStatus,
} from '../../lib/background/index.js';
import { aborted, deferred, sleep, until } from '../fixtures/background/deferred.js';

/** Records every status a job is seen in through the events, ending with its terminal one. */
function statusTrail(supervisor: TaskSupervisor): Map<string, JobStatus[]> {
  const trails = new Map<string, JobStatus[]>();
  supervisor.events$.subscribe((event: BackgroundEvent) => {
    if (!('job' in event)) return;
    const trail = trails.get(event.job.id) ?? [];
    if (trail.at(-1) !== event.job.status) trail.push(event.job.status);
    trails.set(event.job.id, trail);
  });
  return trails;
}

describe('job handles and statuses', () => {
  it('goes queued -> started -> succeeded and keeps the value and times', async () => {
    const supervisor = new TaskSupervisor();
    const trails = statusTrail(supervisor);
    const handle = supervisor.submit(async ({ jobId }) => `ran ${jobId}`, { name: 'greet' });
    expect(handle).toMatchObject({ name: 'greet', priority: 'normal', executor: 'inline' });
    expect(handle.id).toMatch(/^job-\d+$/);
    expect(await handle.result).toBe(`ran ${handle.id}`);
    expect(trails.get(handle.id)).toEqual(['queued', 'started', 'succeeded']);
    expect(handle.timeQueued).toBeInstanceOf(Date);
    expect(handle.timeStarted!.getTime()).toBeGreaterThanOrEqual(handle.timeQueued.getTime());
    expect(handle.timeFinished!.getTime()).toBeGreaterThanOrEqual(handle.timeStarted!.getTime());
    expect(handle.error).toBeUndefined();
  });

  it('goes queued -> started -> failed and keeps the error', async () => {
    const supervisor = new TaskSupervisor();
    const trails = statusTrail(supervisor);
    const boom = new Error('boom');
    const handle = supervisor.submit(async () => {
      throw boom;
    });
    await expect(handle.result).rejects.toBe(boom);
    expect(handle.status).toBe('failed');
    expect(handle.error).toBe(boom);
    expect(trails.get(handle.id)).toEqual(['queued', 'started', 'failed']);
  });

  it('counts a synchronous throw as a failure', async () => {
    const supervisor = new TaskSupervisor();
    const handle = supervisor.submit((): number => {
      throw new TypeError('sync');
    });
    await expect(handle.result).rejects.toThrow('sync');
    expect(handle.status).toBe('failed');
  });

  it('goes delayed -> queued -> started -> succeeded with a delay', async () => {
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 1 } } });
    const trails = statusTrail(supervisor);
    const gate = deferred();
    supervisor.submit(() => gate.promise);
    const handle = supervisor.submit(async () => 1, { delay: 30 });
    expect(handle.status).toBe('delayed');
    await until(() => handle.status !== 'delayed');
    expect(handle.status).toBe('queued');
    expect(Date.now() - handle.timeQueued.getTime()).toBeGreaterThanOrEqual(25);
    gate.resolve();
    await handle.result;
    // 'queued' has no event of its own; the trail shows what each event saw.
    expect(trails.get(handle.id)).toEqual(['delayed', 'started', 'succeeded']);
  });

  it('goes started -> timedOut, aborting the signal with the timeout error', async () => {
    const supervisor = new TaskSupervisor();
    let reason: unknown;
    const handle = supervisor.submit(
      async ({ signal }) => {
        reason = await aborted(signal);
      },
      { timeout: 30, name: 'slow' },
    );
    await expect(handle.result).rejects.toThrow(JobTimeoutError);
    await expect(handle.result).rejects.toThrow('Job "slow" (job-1) timed out after 30 ms');
    expect(handle.status).toBe('timedOut');
    await until(() => reason !== undefined);
    expect(reason).toBe(handle.error);
  });

  it('finds a job by id while live and during retention, and forgets it after', async () => {
    const supervisor = new TaskSupervisor({ retention: { ms: 100, max: 2 } });
    const gate = deferred();
    const live = supervisor.submit(() => gate.promise);
    expect(supervisor.get(live.id)).toBe(live);
    gate.resolve();
    await live.result;
    expect(supervisor.get(live.id)).toBe(live);
    // Count limit: two more finished jobs push the first out.
    await supervisor.waitAll([supervisor.submit(async () => 1), supervisor.submit(async () => 2)]);
    expect(supervisor.get(live.id)).toBeUndefined();
    // Time limit.
    const last = supervisor.submit(async () => 3);
    await last.result;
    expect(supervisor.get(last.id)).toBe(last);
    await sleep(120);
    expect(supervisor.get(last.id)).toBeUndefined();
    expect(supervisor.get('not-an-id')).toBeUndefined();
  });

  it('settles a result read after the job finished', async () => {
    const supervisor = new TaskSupervisor();
    const ok = supervisor.submit(async () => 'late');
    const bad = supervisor.submit(async () => Promise.reject(new Error('late failure')));
    await supervisor.whenIdle();
    await expect(ok.result).resolves.toBe('late');
    await expect(bad.result).rejects.toThrow('late failure');
  });

  it('does not raise unhandledRejection for failures nobody awaits', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const supervisor = new TaskSupervisor();
      const handles: JobHandle[] = [
        supervisor.submit(async () => {
          throw new Error('ignored');
        }),
        supervisor.submit(() => new Promise(() => {}), { timeout: 10 }),
        supervisor.submit(async () => 1, { delay: 1_000 }),
      ];
      // Reading `result` before the failure must not make it unhandled either.
      void handles[0].result;
      handles[2].cancel();
      await supervisor.whenIdle();
      void handles[1].result;
      await sleep(20);
      expect(handles.map((h) => h.status)).toEqual(['failed', 'timedOut', 'cancelled']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('rejects with JobCancelledError naming the job and the reason', async () => {
    const supervisor = new TaskSupervisor();
    const handle = supervisor.submit(async () => 1, { delay: 1_000, name: 'report' });
    handle.cancel('user asked');
    const error = await handle.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobCancelledError);
    expect((error as Error).message).toBe(`Job "report" (${handle.id}) was cancelled: user asked`);
  });
});
