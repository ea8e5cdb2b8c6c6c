import { it, expect, jest } from '@jest/globals';

// An app without the optional peer `ioredis`: the import fails as Node fails it.
jest.unstable_mockModule('ioredis', () => {
  throw Object.assign(new Error("Cannot find package 'ioredis'"), { code: 'ERR_MODULE_NOT_FOUND' });
});
const { RedisCoordinator, redisMessages } = await import('../../lib/redis/index.js');

it('says to install ioredis when a URL is given and the package is missing', async () => {
  const coordinator = new RedisCoordinator({ url: 'redis://127.0.0.1:6379', prefix: 'none' });
  await expect(coordinator.connect()).rejects.toThrow(redisMessages.ioredisMissing());
  await coordinator.close();
});
