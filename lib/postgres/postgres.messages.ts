import { describeValue } from '../utils/describe-value.js';

/** Message factories of the PostgreSQL coordinator, kept together so that tests quote one wording. */
export const postgresMessages = {
  badSchemaName: (got: unknown) =>
    `must be a PostgreSQL schema name of lowercase letters, digits and underscores (at most 63, not starting with a digit or "pg_"), got ${describeValue(got)}`,
  poolOrConnectionString: () =>
    'give either connectionString (the coordinator opens and closes its own pool) or pool (your pg Pool, left open), not both',
  pgMissing: () =>
    'PostgresCoordinator needs the "pg" package to open a connection: npm install pg (or pass your own { pool })',
  notConnected: () => 'PostgresCoordinator is not connected: call connect() first',
  closed: () => 'PostgresCoordinator is closed',
  commandTimeoutWithPool: () =>
    'applies to the pool opened for connectionString only; give your own pool its query_timeout and connectionTimeoutMillis instead',
  closeForced: (ms: number, unwritten: number) =>
    `PostgresCoordinator: the database did not answer within ${ms} ms (closeTimeout) at close; its connections were dropped, abandoning ${unwritten} history record(s) not written`,
} as const;
