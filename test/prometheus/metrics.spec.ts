import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import {
  Cron,
  Every,
  InMemoryCoordinator,
  OptionValidationError,
  Task,
  TaskRegistry,
  TaskSupervisor,
  type TaskContext,
} from '../../lib/index.js';
import { AioClockMetricsModule, prometheusMessages } from '../../lib/prometheus/index.js';
import { closeUnderFakeTimers, createApp, sleep } from '../fixtures/testing-module.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

useFakeClock();

/** The value of one series, found by its labels, or undefined when absent. */
async function valueOf(
  registry: Registry,
  name: string,
  labels: Record<string, string | number> = {},
): Promise<number | undefined> {
  // A histogram's series (_bucket, _sum, _count) belong to the metric without the suffix.
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(base);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const match = values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return match?.value;
}

@Injectable()
class Jobs {
  calls = 0;
  /** 300 ms of work, every second from the start. */
  @Task(new Every({ seconds: 1, anchor: 'start' }), { name: 'steady' })
  async steady() {
    await sleep(300);
  }

  /** Fails its first attempt, then succeeds on the retry 100 ms later. */
  @Task(new Every({ seconds: 10 }), {
    name: 'flaky',
    retry: { attempts: 2, backoff: { type: 'fixed', delay: 100 } },
  })
  flaky(context: TaskContext) {
    this.calls++;
    if (context.attempt === 1) throw new Error('first try fails');
  }
}

async function metricsApp(options: Parameters<typeof AioClockMetricsModule.forRoot>[0] = {}) {
  const registry = new Registry();
  const { app } = await createApp(
    [Jobs],
    {},
    {
      imports: [AioClockMetricsModule.forRoot({ registry, ...options })],
    },
  );
  return { app, registry };
}

describe('AioClockMetricsModule', () => {
  it('counts runs by task and outcome, and retries, after real runs', async () => {
    const { app, registry } = await metricsApp();
    await jest.advanceTimersByTimeAsync(10_500);
    expect(
      await valueOf(registry, 'aioclock_runs_total', { task: 'steady', status: 'succeeded' }),
    ).toBe(10);
    expect(
      await valueOf(registry, 'aioclock_runs_total', { task: 'flaky', status: 'failed' }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'aioclock_runs_total', { task: 'flaky', status: 'succeeded' }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'aioclock_runs_total', { task: 'steady', status: 'missed' }),
    ).toBe(0);
    expect(await valueOf(registry, 'aioclock_retries_total', { task: 'flaky' })).toBe(1);
    expect(await valueOf(registry, 'aioclock_retries_total', { task: 'steady' })).toBeUndefined();
    await closeUnderFakeTimers(app);
  });

  it('observes run durations and fire lateness per task, in seconds', async () => {
    const { app, registry } = await metricsApp();
    await jest.advanceTimersByTimeAsync(3_500);
    const steady = { task: 'steady' };
    expect(await valueOf(registry, 'aioclock_run_duration_seconds_count', steady)).toBe(3);
    expect(await valueOf(registry, 'aioclock_run_duration_seconds_sum', steady)).toBeCloseTo(0.9);
    // 300 ms falls in the 0.5 s bucket, not in the 0.25 s one.
    expect(
      await valueOf(registry, 'aioclock_run_duration_seconds_bucket', { ...steady, le: 0.25 }),
    ).toBe(0);
    expect(
      await valueOf(registry, 'aioclock_run_duration_seconds_bucket', { ...steady, le: 0.5 }),
    ).toBe(3);
    // Under fake timers each run starts at its nominal time.
    expect(await valueOf(registry, 'aioclock_fire_lateness_seconds_count', steady)).toBe(3);
    expect(await valueOf(registry, 'aioclock_fire_lateness_seconds_sum', steady)).toBe(0);
    // The retry of flaky is not a late fire: only its first attempt counts.
    expect(
      await valueOf(registry, 'aioclock_fire_lateness_seconds_count', { task: 'flaky' }),
    ).toBeUndefined();
    await closeUnderFakeTimers(app);
  });

  it('reads running runs and next fire times at scrape time', async () => {
    const { app, registry } = await metricsApp();
    await jest.advanceTimersByTimeAsync(1_100);
    expect(await valueOf(registry, 'aioclock_task_running', { task: 'steady' })).toBe(1);
    expect(await valueOf(registry, 'aioclock_tasks_running')).toBe(1);
    expect(
      await valueOf(registry, 'aioclock_next_fire_timestamp_seconds', { task: 'steady' }),
    ).toBe((T0 + 2_000) / 1_000);
    expect(await valueOf(registry, 'aioclock_scheduler_running')).toBe(1);
    await jest.advanceTimersByTimeAsync(300);
    expect(await valueOf(registry, 'aioclock_task_running', { task: 'steady' })).toBe(0);
    app.get(TaskRegistry).pause('steady');
    expect(
      await valueOf(registry, 'aioclock_next_fire_timestamp_seconds', { task: 'steady' }),
    ).toBeUndefined();
    await closeUnderFakeTimers(app);
  });

  it('counts background jobs by executor, priority and status, with wait and run times', async () => {
    const { app, registry } = await metricsApp();
    const supervisor = app.get(TaskSupervisor);
    const ok = supervisor.submit(() => sleep(200), { priority: 'high', delay: 50 });
    const failing = supervisor.submit(async () => {
      throw new Error('boom');
    });
    const stuck = supervisor.submit(() => new Promise(() => {}), { timeout: 1_000 });
    expect(await valueOf(registry, 'aioclock_jobs_running', { executor: 'inline' })).toBe(2);
    expect(await valueOf(registry, 'aioclock_jobs_delayed', { executor: 'inline' })).toBe(1);
    expect(await valueOf(registry, 'aioclock_jobs_queued', { executor: 'thread' })).toBe(0);
    await failing.result.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1_000);
    await Promise.allSettled([ok.result, stuck.result]);
    const inline = { executor: 'inline' };
    expect(
      await valueOf(registry, 'aioclock_jobs_total', {
        ...inline,
        priority: 'high',
        status: 'succeeded',
      }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'aioclock_jobs_total', {
        ...inline,
        priority: 'normal',
        status: 'failed',
      }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'aioclock_jobs_total', {
        ...inline,
        priority: 'normal',
        status: 'timedOut',
      }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'aioclock_job_wait_seconds_sum', { ...inline, priority: 'high' }),
    ).toBeCloseTo(0.05);
    expect(
      await valueOf(registry, 'aioclock_job_duration_seconds_sum', { ...inline, priority: 'high' }),
    ).toBeCloseTo(0.2);
    expect(await valueOf(registry, 'aioclock_jobs_running', inline)).toBe(0);
    await closeUnderFakeTimers(app);
  });

  it('serves the Prometheus text format with a custom prefix', async () => {
    const { app, registry } = await metricsApp({ prefix: 'jobs_' });
    await jest.advanceTimersByTimeAsync(1_500);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE jobs_runs_total counter');
    expect(text).toContain('jobs_runs_total{task="steady",status="succeeded"} 1');
    expect(text).toContain('# TYPE jobs_run_duration_seconds histogram');
    expect(text).not.toContain('aioclock_');
    await closeUnderFakeTimers(app);
  });

  it('removes its metrics when the app closes, so another app can register them again', async () => {
    const first = await metricsApp();
    await closeUnderFakeTimers(first.app);
    expect(first.registry.getSingleMetric('aioclock_runs_total')).toBeUndefined();
    const registry = new Registry();
    const a = await createApp([], {}, { imports: [AioClockMetricsModule.forRoot({ registry })] });
    // Two live apps on one registry: the second is refused and leaves the first's metrics intact.
    await expect(
      createApp([], {}, { imports: [AioClockMetricsModule.forRoot({ registry })] }),
    ).rejects.toThrow(/aioclock_runs_total/);
    expect(registry.getSingleMetric('aioclock_jobs_total')).toBeDefined();
    await closeUnderFakeTimers(a.app);
  });

  it('in a cluster, counts claims by outcome, says whether the store answers and its clock offset', async () => {
    const registry = new Registry();
    // A store whose clock its claims measured 250 ms ahead of this one.
    const coordinator = Object.assign(new InMemoryCoordinator(), { clockOffsetMs: 250 });
    @Injectable()
    class Secondly {
      @Task(new Cron('* * * * * *'), { name: 'secondly' })
      tick() {}
    }
    const { app } = await createApp(
      [Secondly],
      { timeZone: 'UTC', cluster: { coordinator, instanceId: 'a' } },
      { imports: [AioClockMetricsModule.forRoot({ registry })] },
    );
    await jest.advanceTimersByTimeAsync(3_500);
    expect(await valueOf(registry, 'aioclock_cluster_store_reachable')).toBe(1);
    expect(
      await valueOf(registry, 'aioclock_cluster_last_contact_timestamp_seconds'),
    ).toBeGreaterThan(T0 / 1_000);
    expect(await valueOf(registry, 'aioclock_cluster_leases_held')).toBe(0);
    expect(await valueOf(registry, 'aioclock_cluster_clock_offset_seconds')).toBe(0.25);
    expect(await valueOf(registry, 'aioclock_cluster_claims_total', { outcome: 'won' })).toBe(3);
    expect(await valueOf(registry, 'aioclock_cluster_claims_total', { outcome: 'failed' })).toBe(0);
    expect(
      await valueOf(registry, 'aioclock_runs_total', { task: 'secondly', status: 'succeeded' }),
    ).toBe(3);
    await closeUnderFakeTimers(app);
  });

  it('refuses bad options at bootstrap, naming the field', () => {
    expect(() => AioClockMetricsModule.forRoot({ prefix: '1x' })).toThrow(
      new OptionValidationError(
        'AioClockMetricsModule',
        'prefix',
        prometheusMessages.badPrefix('1x'),
      ),
    );
    expect(() => AioClockMetricsModule.forRoot({ buckets: { runDuration: [1, 0.5] } })).toThrow(
      prometheusMessages.badBuckets([1, 0.5]),
    );
    expect(() => AioClockMetricsModule.forRoot({ registry: {} as Registry })).toThrow(/registry/);
  });
});
