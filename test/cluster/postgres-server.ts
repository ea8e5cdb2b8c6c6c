import pg from 'pg';

/** The PostgreSQL the real tier runs against (trust auth, database `test`). */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Fails (never skips) when the server is not there, saying how to start it: the real tier is
 * part of `npm test`, and a silent skip would hide that cluster mode went untested.
 */
export async function requirePostgres(url: string = DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is missing at ${url} (${(error as Error).message}). Start the shared server with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, ' +
        'or point DATABASE_URL at another one.',
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
