import type { Pool } from 'pg';
import { optionError } from '../errors.js';
import { DEFAULT_HISTORY_SIZE } from '../runner/run-store.js';
import {
  checkInteger,
  checkKnownKeys,
  checkMethods,
  checkString,
  checkTimerDelay,
} from '../utils/validation.js';
import { postgresMessages } from './postgres.messages.js';
import { checkSchemaName, DEFAULT_POSTGRES_SCHEMA } from './postgres.migration.js';

/** Options shared by both ways of reaching the server. */
interface PostgresCommonOptions {
  /** The schema of this app's tables, so that apps can share one database (default 'aioclock'). */
  schema?: string;
  /** How many history records to keep per task (default 100). */
  historySize?: number;
  /**
   * How long close() waits (ms) for queued history and for the pool to end before it drops the
   * connections: a partitioned server never answers, and shutdown must end. Default 3,000.
   */
  closeTimeout?: number;
}

/** How PostgresCoordinator reaches the server: a connection string, or your own pg Pool. */
export type PostgresCoordinatorOptions =
  | (PostgresCommonOptions & {
      /** The coordinator opens a pool on it at connect() and ends it at close(). */
      connectionString: string;
      pool?: never;
      /**
       * How long (ms) a query, or opening a connection for one, may wait before it fails (pg
       * `query_timeout` and `connectionTimeoutMillis`): a partitioned server never answers, and a
       * claim, pause or runTask must not wait for the kernel to give the socket up. Default 3,000.
       * A `pool` passed in keeps its own settings: give it these yourself.
       */
      commandTimeout?: number;
    })
  | (PostgresCommonOptions & {
      /** Your pg Pool; the coordinator never ends it. */
      pool: Pool;
      connectionString?: never;
      commandTimeout?: never;
    });

/** The options checked, defaults filled in; exactly one of `pool` and `connectionString` is set. */
export interface ResolvedPostgresOptions {
  pool: Pool | undefined;
  connectionString: string | undefined;
  schema: string;
  historySize: number;
  closeTimeout: number;
  commandTimeout: number;
}

/** Every option PostgresCoordinator knows (an unknown key is refused, naming these). */
export const POSTGRES_OPTION_KEYS = [
  'connectionString',
  'pool',
  'schema',
  'historySize',
  'closeTimeout',
  'commandTimeout',
] as const;
/** Default of `closeTimeout` (ms). */
export const DEFAULT_POSTGRES_CLOSE_TIMEOUT = 3_000;
/** Default of `commandTimeout` (ms). */
export const DEFAULT_POSTGRES_COMMAND_TIMEOUT = 3_000;
const fail = optionError('PostgresCoordinator');

/** Checks PostgresCoordinator's options when it is constructed, so a bad one fails before connect(). */
export function resolvePostgresOptions(
  options: PostgresCoordinatorOptions,
): ResolvedPostgresOptions {
  checkKnownKeys(fail, '', options, POSTGRES_OPTION_KEYS);
  const given = options as unknown as Record<string, unknown>;
  const hasPool = given.pool !== undefined;
  const hasUrl = given.connectionString !== undefined;
  if (hasPool === hasUrl) {
    throw fail(hasPool ? 'pool' : 'connectionString', postgresMessages.poolOrConnectionString());
  }
  // Silently ignored on a pool passed in, it would promise a bound that does not exist.
  if (hasPool && given.commandTimeout !== undefined) {
    throw fail('commandTimeout', postgresMessages.commandTimeoutWithPool());
  }
  const pool = hasPool ? (checkMethods(fail, 'pool', given.pool, ['query']) as Pool) : undefined;
  const connectionString = hasPool
    ? undefined
    : checkString(fail, 'connectionString', given.connectionString);
  return {
    pool,
    connectionString,
    schema: checkSchemaName(fail, 'schema', given.schema ?? DEFAULT_POSTGRES_SCHEMA),
    historySize: checkInteger(fail, 'historySize', given.historySize ?? DEFAULT_HISTORY_SIZE, {
      min: 1,
    }),
    closeTimeout: checkTimerDelay(
      fail,
      'closeTimeout',
      given.closeTimeout ?? DEFAULT_POSTGRES_CLOSE_TIMEOUT,
    ),
    commandTimeout: checkTimerDelay(
      fail,
      'commandTimeout',
      given.commandTimeout ?? DEFAULT_POSTGRES_COMMAND_TIMEOUT,
      1,
    ),
  };
}
