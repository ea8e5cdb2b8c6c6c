// nestjs-aioclock/redis: cluster mode on Redis (needs the optional peer `ioredis`).
export { RedisCoordinator, type RedisCoordinatorOptions } from './redis.coordinator.js';
export { redisMessages } from './redis.messages.js';
