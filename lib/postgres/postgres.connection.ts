import type { Pool } from 'pg';
import { postgresMessages } from './postgres.messages.js';

/** Loads pg on first use, so that apps without cluster mode never need it installed. */
export async function createPool(connectionString: string): Promise<Pool> {
  let PgPool: typeof Pool;
  try {
    PgPool = (await import('pg')).default.Pool;
  } catch (cause) {
    throw new Error(postgresMessages.pgMissing(), { cause });
  }
  const pool = new PgPool({ connectionString });
  // An idle client losing its server emits 'error' on the pool, which would crash the process if
  // unheard; the next query fails instead and the scheduler handles the outage there.
  pool.on('error', () => undefined);
  return pool;
}
