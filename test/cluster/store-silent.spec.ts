// A store that stops answering without closing the connection (a network partition, a firewall
// dropping packets, a Redis stuck in a slow script): commands time out, and shutdown ends.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Cron } from '../../lib/index.js';
import { RedisCoordinator } from '../../lib/redis/index.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { quietLogger } from '../fixtures/testing-module.js';
import { dropRedisPrefix, REDIS_URL, requireRedis } from './servers.js';
import { silentProxy, within } from './silent-proxy.js';

const prefix = `t${Date.now().toString(36)}attackhang`;

beforeAll(async () => {
  await requireRedis(REDIS_URL);
});
afterAll(async () => {
  await dropRedisPrefix(prefix);
});

async function scheduledOn(url: string): Promise<TaskScheduler> {
  const scheduler = new TaskScheduler({
    logger: quietLogger,
    shutdownTimeout: 1_000,
    triggerDefaults: { timeZone: 'UTC' },
    cluster: { coordinator: new RedisCoordinator({ url, prefix }), instanceId: 'a' },
  });
  scheduler.register({ name: 'charge', trigger: new Cron('0 0 * * *'), handler: () => 'done' });
  await scheduler.start();
  return scheduler;
}

describe('a store that stops answering (real time, Redis behind a proxy)', () => {
  // No command timeout on the coordinator's connection: the caller of runTask waits until the
  // kernel gives the TCP connection up (minutes), and has no way to know whether the id was used.
  it('runTask with a requestId settles (rejects) within a few seconds', async () => {
    const proxy = await silentProxy(REDIS_URL);
    const scheduler = await scheduledOn(proxy.url);
    proxy.silence();
    const run = scheduler.runNow(scheduler.get('charge'), { requestId: 'order-42' });
    run.catch(() => undefined);
    const outcome = await within(run, 5_000);
    await proxy.close();
    await within(scheduler.shutdown(), 5_000);
    expect(outcome).not.toBe('pending');
  }, 20_000);

  it('pause settles (rejects) within a few seconds', async () => {
    const proxy = await silentProxy(REDIS_URL);
    const scheduler = await scheduledOn(proxy.url);
    proxy.silence();
    const pause = scheduler.pause(scheduler.get('charge'));
    pause.catch(() => undefined);
    const outcome = await within(pause, 5_000);
    await proxy.close();
    await within(scheduler.shutdown(), 5_000);
    expect(outcome).not.toBe('pending');
  }, 20_000);

  // Nest awaits onApplicationShutdown: a pod that must stop (SIGTERM) while the store is
  // partitioned never exits until the orchestrator kills it.
  it('shutdown completes within shutdownTimeout and a few seconds', async () => {
    const proxy = await silentProxy(REDIS_URL);
    const scheduler = await scheduledOn(proxy.url);
    proxy.silence();
    const stopping = scheduler.shutdown();
    const outcome = await within(stopping, 6_000);
    await proxy.close();
    await within(stopping, 5_000);
    expect(outcome).toBe('resolved');
  }, 20_000);
});
