import type { Redis } from 'ioredis';
import { optionError } from '../errors.js';
import { DEFAULT_HISTORY_SIZE } from '../runner/run-store.js';
import {
  checkInteger,
  checkKnownKeys,
  checkMethods,
  checkString,
  checkTimerDelay,
} from '../utils/validation.js';
import { redisMessages } from './redis.messages.js';

/** Options of RedisCoordinator: where the store is (`url` or `client`) and whose keys these are. */
export type RedisCoordinatorOptions = (
  | {
      /** A connection the coordinator opens at connect() and closes at close(). */
      url: string;
      client?: never;
      /**
       * How long (ms) a command may wait for its reply before it fails (ioredis
       * `commandTimeout`): a partitioned Redis never answers, and a claim, pause or runTask must
       * not wait for the kernel to give the socket up. Default 3,000. A `client` passed in keeps
       * its own settings: give it a `commandTimeout` yourself.
       */
      commandTimeout?: number;
    }
  | {
      /** Your own ioredis client: used as is, and left open at close(). */
      client: Redis;
      url?: never;
      commandTimeout?: never;
    }
) & {
  /** Separates the apps that share one Redis; keys start with `{prefix}:aioclock:`. Default 'default'. */
  prefix?: string;
  /** How many runs each task's shared history keeps, newest first. Default 100. */
  historySize?: number;
  /**
   * How long close() waits for QUIT (ms) before it drops the connection: a partitioned Redis
   * never answers, and shutdown must end. Default 3,000.
   */
  closeTimeout?: number;
};

/** The options checked, defaults filled in; exactly one of `url` and `client` is set. */
export interface ResolvedRedisOptions {
  url: string | undefined;
  client: Redis | undefined;
  prefix: string;
  historySize: number;
  closeTimeout: number;
  commandTimeout: number;
}

/** Every option RedisCoordinator knows (an unknown key is refused, naming these). */
export const REDIS_OPTION_KEYS = [
  'url',
  'client',
  'prefix',
  'historySize',
  'closeTimeout',
  'commandTimeout',
] as const;
/** Default of `closeTimeout` (ms). */
export const DEFAULT_REDIS_CLOSE_TIMEOUT = 3_000;
/** Default of `commandTimeout` (ms). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT = 3_000;
// The client methods the coordinator calls: a client without one fails here, not at its first use.
const CLIENT_METHODS = ['evalsha', 'eval', 'script', 'pipeline', 'set', 'lrange', 'quit'];
const fail = optionError('RedisCoordinator');

/** Checks RedisCoordinator's options when it is constructed, so a bad one fails before connect(). */
export function resolveRedisOptions(options: RedisCoordinatorOptions): ResolvedRedisOptions {
  checkKnownKeys(fail, '', options, REDIS_OPTION_KEYS);
  const {
    url,
    client,
    prefix = 'default',
    historySize = DEFAULT_HISTORY_SIZE,
    closeTimeout = DEFAULT_REDIS_CLOSE_TIMEOUT,
    commandTimeout,
  } = options;
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
  // Silently ignored on a client passed in, it would promise a bound that does not exist.
  if (client !== undefined && commandTimeout !== undefined) {
    throw fail('commandTimeout', redisMessages.commandTimeoutWithClient());
  }
  checkString(fail, 'prefix', prefix);
  if (/[{}]/.test(prefix)) throw fail('prefix', redisMessages.braceInPrefix(prefix));
  return {
    ...resolved,
    prefix,
    historySize: checkInteger(fail, 'historySize', historySize, { min: 1 }),
    closeTimeout: checkTimerDelay(fail, 'closeTimeout', closeTimeout),
    commandTimeout: checkTimerDelay(
      fail,
      'commandTimeout',
      commandTimeout ?? DEFAULT_REDIS_COMMAND_TIMEOUT,
      1,
    ),
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
