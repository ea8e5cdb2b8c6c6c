import type { Redis } from 'ioredis';
import { redisMessages } from './redis.messages.js';

/** Opens the connection a RedisCoordinator owns (given a `url`); rejects if Redis does not answer. */
export async function openRedis(url: string, commandTimeout: number): Promise<Redis> {
  // No offline queue: a claim sent while Redis is away must fail at once (the tick is then
  // caught up or recorded missed when Redis is back), not run seconds late from a queue.
  const client = new (await loadIoredis())(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A partitioned Redis keeps the socket open and never answers: each command fails after
    // this instead, as if Redis were down (a claim is then a lost reply, see claimTicks).
    commandTimeout,
  });
  // Errors reach the callers of each command; without a listener ioredis also logs each one.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/** The Redis class of `ioredis`, an optional peer: imported only when a coordinator opens a URL. */
async function loadIoredis(): Promise<typeof Redis> {
  try {
    const module = await import('ioredis');
    return module.Redis;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(redisMessages.ioredisMissing(), { cause: error });
    }
    throw error;
  }
}
