import type { Redis } from 'ioredis';
import { optionError } from '../errors.js';
import { DEFAULT_HISTORY_SIZE } from '../runner/run-store.js';
import { checkInteger, checkKnownKeys, checkMethods, checkString } from '../utils/validation.js';
import { redisMessages } from './redis.messages.js';

/** Options of RedisCoordinator: where the store is (`url` or `client`) and whose keys these are. */
export type RedisCoordinatorOptions = (
  | {
      /** A connection the coordinator opens at connect() and closes at close(). */
      url: string;
      client?: never;
    }
  | {
      /** Your own ioredis client: used as is, and left open at close(). */
      client: Redis;
      url?: never;
    }
) & {
  /** Separates the apps that share one Redis; keys start with `{prefix}:aioclock:`. Default 'default'. */
  prefix?: string;
  /** How many runs each task's shared history keeps, newest first. Default 100. */
  historySize?: number;
};

/** The options checked, defaults filled in; exactly one of `url` and `client` is set. */
export interface ResolvedRedisOptions {
  url: string | undefined;
  client: Redis | undefined;
  prefix: string;
  historySize: number;
}

const OPTION_KEYS = ['url', 'client', 'prefix', 'historySize'] as const;
// The client methods the coordinator calls: a client without one fails here, not at its first use.
const CLIENT_METHODS = ['evalsha', 'eval', 'script', 'pipeline', 'set', 'lrange', 'quit'];
const fail = optionError('RedisCoordinator');

/** Checks RedisCoordinator's options when it is constructed, so a bad one fails before connect(). */
export function resolveRedisOptions(options: RedisCoordinatorOptions): ResolvedRedisOptions {
  checkKnownKeys(fail, '', options, OPTION_KEYS);
  const { url, client, prefix = 'default', historySize = DEFAULT_HISTORY_SIZE } = options;
  if ((url === undefined) === (client === undefined)) {
    throw fail(url === undefined ? 'url' : 'client', redisMessages.urlOrClient());
  }
  const resolved = {
    url: url === undefined ? undefined : checkRedisUrl(url),
    client:
      client === undefined
        ? undefined
        : (checkMethods(fail, 'client', client, CLIENT_METHODS) as Redis),
  };
  checkString(fail, 'prefix', prefix);
  if (/[{}]/.test(prefix)) throw fail('prefix', redisMessages.braceInPrefix(prefix));
  return {
    ...resolved,
    prefix,
    historySize: checkInteger(fail, 'historySize', historySize, { min: 1 }),
  };
}

function checkRedisUrl(url: unknown): string {
  const text = checkString(fail, 'url', url);
  let protocol: string;
  try {
    protocol = new URL(text).protocol;
  } catch {
    throw fail('url', redisMessages.notRedisUrl(url));
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw fail('url', redisMessages.notRedisUrl(url));
  }
  return text;
}
