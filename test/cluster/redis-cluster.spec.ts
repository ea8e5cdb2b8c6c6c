import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { RedisCoordinator } from '../../lib/redis/index.js';
import { dropRedisPrefix, REDIS_URL, requireRedis } from './servers.js';
import { expectEachTickOnce, runReplicas } from './replicas.js';

const prefix = `t${Date.now().toString(36)}cluster`;

beforeAll(async () => {
  await requireRedis(REDIS_URL);
});
afterAll(async () => {
  await dropRedisPrefix(prefix);
});

describe('3 replicas on Redis (real time)', () => {
  it('run each tick of 5 secondly crons once; the history is the same on every replica', async () => {
    const { runs, histories } = await runReplicas(
      () => new RedisCoordinator({ url: REDIS_URL, prefix }),
    );
    expect(runs.length).toBeGreaterThanOrEqual(5 * 2);
    expectEachTickOnce(runs, 5);
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);
  }, 30_000);
});
