import type { Pool, PoolClient } from 'pg';
import { postgresMessages } from './postgres.messages.js';

/** A pool the coordinator opened, and how to drop its connections when ending it gracefully hangs. */
export interface OwnPool {
  pool: Pool;
  /** Ends every client now: one with a query in flight has its socket destroyed (pg's end()). */
  drop(): void;
}

/** Loads pg on first use, so that apps without cluster mode never need it installed. */
export async function createPool(
  connectionString: string,
  commandTimeout: number,
): Promise<OwnPool> {
  let PgPool: typeof Pool;
  try {
    PgPool = (await import('pg')).default.Pool;
  } catch (cause) {
    throw new Error(postgresMessages.pgMissing(), { cause });
  }
  // A partitioned server keeps the socket open and never answers: a query, or opening a
  // connection for one, fails after commandTimeout instead, as if the server were down.
  const pool = new PgPool({
    connectionString,
    query_timeout: commandTimeout,
    connectionTimeoutMillis: commandTimeout,
  });
  // An idle client losing its server emits 'error' on the pool, which would crash the process if
  // unheard; the next query fails instead and the scheduler handles the outage there.
  pool.on('error', () => undefined);
  // pool.end() waits for clients in use, and a partitioned server never answers their queries:
  // the clients are kept here so that close can end them itself.
  const clients = new Set<PoolClient>();
  pool.on('connect', (client) => void clients.add(client));
  pool.on('remove', (client) => void clients.delete(client));
  const drop = () => {
    for (const client of clients) client.end().catch(() => undefined);
    clients.clear();
  };
  return { pool, drop };
}
