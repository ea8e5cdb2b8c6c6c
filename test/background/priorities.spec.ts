import { describe, expect, it } from '@jest/globals';
import { TaskSupervisor, type JobPriority, type PoolOptions } from '../../lib/background/index.js';
import { deferred, type Deferred } from '../fixtures/background/deferred.js';

/**
 * A supervisor with this inline pool, whose `submit` sends jobs that hold their slot until
 * released and records the order they start in.
 */
function harness(inline: PoolOptions) {
  const supervisor = new TaskSupervisor({ pools: { inline } });
  const started: string[] = [];
  const gates = new Map<string, Deferred>();
  const submit = (label: string, priority: JobPriority) => {
    const gate = deferred();
    gates.set(label, gate);
    return supervisor.submit(
      async () => {
        started.push(label);
        await gate.promise;
      },
      { priority, name: label },
    );
  };
  const release = async (label: string) => {
    gates.get(label)!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { supervisor, started, submit, release };
}

describe('priorities and reserved slots', () => {
  it('starts queued work by priority, then by submission order', async () => {
    const { supervisor, started, submit, release } = harness({
      poolSize: 1,
      reserveNormal: 0,
      reserveHigh: 0,
    });
    submit('first', 'low');
    submit('low-1', 'low');
    submit('normal-1', 'normal');
    submit('low-2', 'low');
    submit('high-1', 'high');
    submit('normal-2', 'normal');
    for (const label of ['first', 'high-1', 'normal-1', 'normal-2', 'low-1', 'low-2']) {
      await release(label);
    }
    expect(started).toEqual(['first', 'high-1', 'normal-1', 'normal-2', 'low-1', 'low-2']);
    await supervisor.shutdown();
  });

  it('with a pool of 2 by default, low work holds one slot and normal work still starts at once', async () => {
    const { supervisor, started, submit } = harness({ poolSize: 2 });
    const lows = [1, 2, 3, 4].map((n) => submit(`low-${n}`, 'low'));
    const normal = submit('normal', 'normal');
    expect(lows.map((job) => job.status)).toEqual(['started', 'queued', 'queued', 'queued']);
    expect(normal.status).toBe('started');
    expect(started).toEqual(['low-1', 'normal']);
    await supervisor.shutdown({ timeout: 0 });
  });

  it('keeps reserveHigh for high work while lower work saturates the rest of a pool of 2', async () => {
    const { supervisor, started, submit, release } = harness({
      poolSize: 2,
      reserveNormal: 0,
      reserveHigh: 1,
    });
    submit('normal-1', 'normal');
    submit('low-1', 'low');
    submit('normal-2', 'normal');
    submit('low-2', 'low');
    const high = submit('high', 'high');
    expect(high.status).toBe('started');
    expect(supervisor.stats().executors.inline).toEqual({ running: 2, queued: 3, delayed: 0 });
    // Freeing the high slot must not let normal or low work take it.
    await release('high');
    expect(supervisor.stats().executors.inline).toEqual({ running: 1, queued: 3, delayed: 0 });
    await release('normal-1');
    await release('normal-2');
    await release('low-1');
    expect(started).toEqual(['normal-1', 'high', 'normal-2', 'low-1', 'low-2']);
    await supervisor.shutdown({ timeout: 0 });
  });

  it('starts critical work at once, past every limit', async () => {
    const { supervisor, submit, release } = harness({
      poolSize: 2,
      reserveNormal: 0,
      reserveHigh: 0,
    });
    submit('high-1', 'high');
    submit('high-2', 'high');
    const queuedHigh = submit('high-3', 'high');
    const critical = submit('critical', 'critical');
    expect(queuedHigh.status).toBe('queued');
    expect(critical.status).toBe('started');
    expect(supervisor.stats().executors.inline.running).toBe(3);
    // Critical work occupies a slot while it runs: freeing one high slot is not enough yet.
    await release('high-1');
    expect(queuedHigh.status).toBe('queued');
    await release('critical');
    expect(queuedHigh.status).toBe('started');
    await supervisor.shutdown({ timeout: 0 });
  });

  it('keeps priority-then-submission order across 100 000 queued jobs', async () => {
    const supervisor = new TaskSupervisor({ pools: { inline: { poolSize: 1, reserveNormal: 0 } } });
    const order: number[] = [];
    const priorities: JobPriority[] = ['low', 'normal', 'high'];
    for (let i = 0; i < 100_000; i++) {
      const priority = priorities[i % 3];
      supervisor.submit(async () => void order.push(i), { priority });
    }
    await supervisor.whenIdle();
    expect(order).toHaveLength(100_000);
    // Job 0 (low) starts at once; then all high, all normal, all low, each in submission order.
    const rank = (i: number) => (i === 0 ? -1 : 2 - (i % 3));
    const sorted = [...order].sort((a, b) => rank(a) - rank(b) || a - b);
    expect(order).toEqual(sorted);
    await supervisor.shutdown();
  });
});
