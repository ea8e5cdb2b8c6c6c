import { describeValue } from '../utils/describe-value.js';

/** Every message of the Redis coordinator, so that tests assert on the factories. */
export const redisMessages = {
  /** Reason for `url`/`client`: exactly one says where the store is. */
  urlOrClient: () => 'give exactly one of url (a connection we open) or client (your own ioredis)',
  notRedisUrl: (got: unknown) =>
    `must be a redis:// or rediss:// URL such as 'redis://127.0.0.1:6379', got ${describeValue(got)}`,
  // Braces would make Redis Cluster hash the key by part of the prefix only (see RedisCoordinator's key()).
  braceInPrefix: (got: string) => `must not contain { or }, got ${describeValue(got)}`,
  ioredisMissing: () =>
    "RedisCoordinator: the package 'ioredis' is not installed; run `npm install ioredis` (or pass { client })",
  notConnected: (method: string) =>
    `RedisCoordinator: call connect() before ${method}() (AioClockModule does it at bootstrap)`,
  unexpectedReply: (got: unknown) =>
    `RedisCoordinator: the claim script answered ${describeValue(got)}, expected one integer per tick, then the store's time`,
  unexpectedLeaseReply: (got: unknown) =>
    `RedisCoordinator: the lease script answered ${describeValue(got)}, expected an epoch or a holder per task`,
  unexpectedAnchorReply: (got: unknown) =>
    `RedisCoordinator: the anchor script answered ${describeValue(got)}, expected one integer per proposal`,
  commandTimeoutWithClient: () =>
    'applies to the connection opened for url only; give your own client its commandTimeout instead',
  closedWhileConnecting: () => 'RedisCoordinator: closed while it connected; call connect() again',
  closeForced: (ms: number, inFlight: number) =>
    `RedisCoordinator: Redis did not answer QUIT within ${ms} ms (closeTimeout); the connection was dropped, abandoning ${inFlight} command(s) in flight (history records among them are not written)`,
} as const;
