// nestjs-aioclock/redis: cluster mode on Redis (needs the optional peer `ioredis`).
export { RedisCoordinator } from './redis.coordinator.js';
export type { RedisCoordinatorOptions } from './redis.options.js';
export { redisMessages } from './redis.messages.js';
