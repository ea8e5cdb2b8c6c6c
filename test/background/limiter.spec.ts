import { describe, expect, it } from '@jest/globals';
import { JobLimitError, TaskSupervisor, type BackgroundEvent } from '../../lib/background/index.js';
import { OptionValidationError } from '../../lib/errors.js';
import { deferred } from '../fixtures/background/deferred.js';

describe('limits per job name', () => {
  it('refuses submissions past maxCalls', async () => {
    const supervisor = new TaskSupervisor({ limits: { sync: { maxCalls: 2 } } });
    await supervisor.submit(async () => 1, { name: 'sync' }).result;
    await supervisor.submit(async () => 2, { name: 'sync' }).result;
    expect(() => supervisor.submit(async () => 3, { name: 'sync' })).toThrow(
      'Job "sync" refused by its maxCalls limit: it may be submitted at most 2 times and that is used up',
    );
    // Other names are not affected.
    expect(await supervisor.submit(async () => 4, { name: 'other' }).result).toBe(4);
  });

  it('refuses a submission while maxConcurrent jobs of the name are live, and accepts once one ends', async () => {
    const supervisor = new TaskSupervisor({ limits: { fetch: { maxConcurrent: 1 } } });
    const gate = deferred();
    const first = supervisor.submit(() => gate.promise, { name: 'fetch' });
    expect(() => supervisor.submit(async () => 2, { name: 'fetch' })).toThrow(JobLimitError);
    gate.resolve();
    await first.result;
    expect(supervisor.submit(async () => 3, { name: 'fetch' }).status).toBe('started');
  });

  it('does not count a submission refused for invalid work against the limit', async () => {
    const supervisor = new TaskSupervisor({
      limits: { render: { maxConcurrent: 1, maxCalls: 1 } },
    });
    expect(() => supervisor.submit({ module: './render.mjs', fn: '' }, { name: 'render' })).toThrow(
      'work.fn',
    );
    expect(await supervisor.submit(async () => 'ok', { name: 'render' }).result).toBe('ok');
  });

  it('refuses a job while a job named in notWhileRunning is live, and emits a limited event', async () => {
    const supervisor = new TaskSupervisor({ limits: { report: { notWhileRunning: 'import' } } });
    const events: BackgroundEvent[] = [];
    supervisor.events$.subscribe((event) => events.push(event));
    const gate = deferred();
    const importing = supervisor.submit(() => gate.promise, { name: 'import', delay: 10 });
    let refusal: unknown;
    try {
      supervisor.submit(async () => 'report', { name: 'report' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(JobLimitError);
    expect(refusal).toMatchObject({ jobName: 'report', limit: 'notWhileRunning' });
    expect(events.at(-1)).toEqual({
      type: 'limited',
      name: 'report',
      limit: 'notWhileRunning',
      error: refusal,
    });
    gate.resolve();
    await importing.result;
    expect(await supervisor.submit(async () => 'report', { name: 'report' }).result).toBe('report');
  });

  it('counts cancelled and failed jobs as finished', async () => {
    const supervisor = new TaskSupervisor({ limits: { once: { maxConcurrent: 1 } } });
    supervisor.submit(async () => 1, { name: 'once', delay: 1_000 }).cancel();
    const failing = supervisor.submit(async () => Promise.reject(new Error('x')), { name: 'once' });
    await failing.result.catch(() => undefined);
    expect(supervisor.submit(async () => 2, { name: 'once' }).status).toBe('started');
  });

  it('validates limits, naming the field', () => {
    expect(() => new TaskSupervisor({ limits: { a: { maxCalls: 0 } } })).toThrow(
      new OptionValidationError(
        'TaskSupervisor',
        'limits.a.maxCalls',
        'must be an integer >= 1, got 0',
      ),
    );
    expect(() => new TaskSupervisor({ limits: { a: { maxCals: 1 } as never } })).toThrow(
      /invalid option limits\.a\.maxCals: unknown option/,
    );
  });
});
