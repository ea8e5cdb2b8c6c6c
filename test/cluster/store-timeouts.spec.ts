// A store that stops answering without closing the connection (a partition): every command on a
// connection the coordinator opened fails after its commandTimeout, so that callers settle.
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import pg from 'pg';
import { messages } from '../../lib/errors.js';
import { Cron } from '../../lib/index.js';
import { PostgresCoordinator } from '../../lib/postgres/index.js';
import { postgresMessages } from '../../lib/postgres/postgres.messages.js';
import { RedisCoordinator, redisMessages } from '../../lib/redis/index.js';
import type { Coordinator } from '../../lib/runner/coordinator.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { DATABASE_URL, requirePostgres } from './postgres-server.js';
import { quietLogger } from '../fixtures/testing-module.js';
import { dropRedisPrefix, REDIS_URL, requireRedis } from './servers.js';
import { silentProxy, type SilentProxy } from './silent-proxy.js';

const tag = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const prefix = `${tag}timeouts`;
const schema = `${tag}_timeouts`;
const COMMAND_TIMEOUT = 300;

beforeAll(async () => {
  await requireRedis(REDIS_URL);
  await requirePostgres(DATABASE_URL);
});
afterAll(async () => {
  await dropRedisPrefix(prefix);
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** Each store: a coordinator through `url` (with a short command timeout), and what it says then. */
const stores = [
  {
    kind: 'redis',
    target: REDIS_URL,
    make: (url: string, commandTimeout?: number): Coordinator =>
      new RedisCoordinator({ url, prefix, commandTimeout, closeTimeout: 200 }),
    timedOut: 'Command timed out',
    closeForced: redisMessages.closeForced(200, 0).split(' (closeTimeout)')[0]!,
  },
  {
    kind: 'postgres',
    target: DATABASE_URL,
    make: (connectionString: string, commandTimeout?: number): Coordinator =>
      new PostgresCoordinator({ connectionString, schema, commandTimeout, closeTimeout: 200 }),
    timedOut: 'Query read timeout',
    closeForced: postgresMessages.closeForced(200, 0),
  },
] as const;

describe.each(stores)('a $kind store that stops answering', (store) => {
  const { kind, target, make, timedOut, closeForced } = store;
  let proxy: SilentProxy;
  let scheduler: TaskScheduler | undefined;
  beforeAll(async () => {
    // The tables exist before any test goes through the proxy.
    const direct = make(target);
    await direct.connect();
    await direct.close();
  });
  afterEach(async () => {
    await proxy.close();
    await scheduler?.shutdown();
    scheduler = undefined;
  });

  async function scheduledBehindProxy(): Promise<TaskScheduler> {
    proxy = await silentProxy(target);
    scheduler = new TaskScheduler({
      logger: quietLogger,
      shutdownTimeout: 500,
      triggerDefaults: { timeZone: 'UTC' },
      cluster: { coordinator: make(proxy.url, COMMAND_TIMEOUT), instanceId: 'a' },
    });
    scheduler.register({ name: 'charge', trigger: new Cron('0 0 * * *'), handler: () => 'done' });
    await scheduler.start();
    return scheduler;
  }

  it('rejects a pause after commandTimeout, naming the task and the store', async () => {
    const scheduler = await scheduledBehindProxy();
    proxy.silence();
    await expect(scheduler.pause(scheduler.get('charge'))).rejects.toThrow(
      messages.controlNotCommitted('charge', 'pause', kind, timedOut),
    );
    expect(scheduler.get('charge').paused).toBe(false);
  });

  it('rejects a run with a request id after commandTimeout, saying it did not run', async () => {
    const scheduler = await scheduledBehindProxy();
    proxy.silence();
    await expect(
      scheduler.runNow(scheduler.get('charge'), { requestId: `${kind}-order-42` }),
    ).rejects.toThrow(messages.runRequestNotRecorded('charge', `${kind}-order-42`, kind, timedOut));
  });

  it('shuts down after closeTimeout with a read in flight, logging once that the store did not answer', async () => {
    proxy = await silentProxy(target);
    const errors: string[] = [];
    const logger = { ...quietLogger, error: (message: string) => void errors.push(message) };
    const stopping = new TaskScheduler({
      logger,
      shutdownTimeout: 100,
      triggerDefaults: { timeZone: 'UTC' },
      cluster: { coordinator: make(proxy.url, 5_000), instanceId: 'a' },
    });
    stopping.register({ name: 'charge', trigger: new Cron('0 0 * * *'), handler: () => 'done' });
    await stopping.start();
    proxy.silence();
    // A read in flight when shutdown begins: the graceful close would wait for its answer.
    stopping.history('charge', 10).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50)); // sent (pg: on a connection)
    await stopping.shutdown();
    expect(errors).toEqual([expect.stringContaining(closeForced)]);
  });

  it('fails a claim whose reply never comes; the store answers its claimer again as the first claim', async () => {
    proxy = await silentProxy(target);
    const deaf = make(proxy.url, COMMAND_TIMEOUT);
    const direct = make(target);
    await Promise.all([deaf.connect(), direct.connect()]);
    try {
      const tick = { taskId: `${kind}-lost`, scheduledAt: Date.now() - 1_000 };
      proxy.deafen();
      await expect(deaf.claimTicks('a:1', [tick], 0)).rejects.toThrow(timedOut);
      const [again] = await direct.claimTicks('a:1', [tick], 0);
      expect(again).toEqual({ won: true, fencingToken: expect.any(Number) });
      expect(await direct.claimTicks('b:1', [tick], 0)).toEqual([{ won: false, reason: 'taken' }]);
    } finally {
      await Promise.allSettled([deaf.close(), direct.close()]);
    }
  });
});
