import { describe, expect, it } from '@jest/globals';
import { TaskSupervisor, type BackgroundEvent } from '../../lib/background/index.js';
import { sleep } from '../fixtures/background/deferred.js';

/** Renders events as "type" or "type:jobName" to compare sequences readably. */
function record(supervisor: TaskSupervisor): string[] {
  const seen: string[] = [];
  supervisor.events$.subscribe((event: BackgroundEvent) =>
    seen.push('job' in event ? `${event.type}:${event.job.name}` : event.type),
  );
  return seen;
}

describe('events$', () => {
  it('emits start, the per-job sequence for each outcome, idle and stop', async () => {
    const supervisor = new TaskSupervisor();
    const seen = record(supervisor);
    await supervisor.submit(async () => 1, { name: 'ok' }).result;
    await supervisor
      .submit(async () => Promise.reject(new Error('x')), { name: 'bad' })
      .result.catch(() => undefined);
    await supervisor
      .submit(() => new Promise(() => {}), { name: 'slow', timeout: 10 })
      .result.catch(() => undefined);
    supervisor.submit(async () => 1, { name: 'late', delay: 1_000 }).cancel();
    await supervisor.shutdown();
    expect(seen).toEqual([
      'start',
      'submitted:ok',
      'started:ok',
      'succeeded:ok',
      'done:ok',
      'idle',
      'submitted:bad',
      'started:bad',
      'failed:bad',
      'done:bad',
      'idle',
      'submitted:slow',
      'started:slow',
      'timedOut:slow',
      'done:slow',
      'idle',
      'submitted:late',
      'cancelled:late',
      'done:late',
      'idle',
      'stop',
    ]);
  });

  it('carries the value, error or cancellation with the job', async () => {
    const supervisor = new TaskSupervisor();
    const events: BackgroundEvent[] = [];
    supervisor.events$.subscribe((event) => events.push(event));
    const ok = supervisor.submit(async () => 42);
    await ok.result;
    const result = events.find((event) => event.type === 'succeeded');
    expect(result).toEqual({ type: 'succeeded', job: ok, value: 42 });
    const cancelled = supervisor.submit(async () => 1, { delay: 1_000 });
    cancelled.cancel('why not');
    const event = events.find((e) => e.type === 'cancelled');
    expect(event).toEqual({ type: 'cancelled', job: cancelled, error: cancelled.error });
  });

  it('completes the stream after stop', async () => {
    const supervisor = new TaskSupervisor();
    let completed = false;
    supervisor.events$.subscribe({ complete: () => (completed = true) });
    await supervisor.shutdown();
    expect(completed).toBe(true);
  });

  it('lets a subscriber cancel a job from its started event', async () => {
    const supervisor = new TaskSupervisor();
    let ran = false;
    supervisor.events$.subscribe((event) => {
      if (event.type === 'started') event.job.cancel('vetoed');
    });
    const handle = supervisor.submit(async () => void (ran = true));
    await sleep(0);
    expect(handle.status).toBe('cancelled');
    expect(ran).toBe(false);
  });
});
