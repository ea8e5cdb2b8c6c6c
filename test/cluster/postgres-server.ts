import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from './servers.js';

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

/** A PostgreSQL cluster of the test's own (initdb in a temporary directory), on a free port. */
export interface PrivatePostgres {
  /** A connection string to its `postgres` database (trust auth). */
  url: string;
  /** Stops the server at once (`-m immediate`, as a crash); start() brings it back, same data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

/**
 * Makes and starts a private PostgreSQL cluster, for what the shared server must never see (being
 * stopped). Binaries: PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. PostgreSQL
 * refuses to run as root: when we are root, initdb and pg_ctl run as the `postgres` user. Throws,
 * saying why, when it cannot start one: the test then fails, it never skips.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'aioclock-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // As `postgres`, or not at all: run a command of the cluster, failing with its output.
  const run = (command: string, args: string[]) => {
    const [file, argv] = root
      ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]]
      : [join(bin, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) {
      throw new Error(
        `a private PostgreSQL cannot be started here: \`${file} ${argv.join(' ')}\` failed ` +
          `(${result.error?.message ?? `exit ${result.status}`}): ${result.stderr || result.stdout}`,
      );
    }
  };
  if (root) chownSync(dir, postgresUid(), postgresGid());
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () =>
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', 'start']);
  const stop = async () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    remove: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((name) => existsSync(join(base, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return join(base, versions[0]!, 'bin');
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (found) return dirname(found);
  throw new Error(
    'a private PostgreSQL cannot be started here: no initdb (looked in PG_BIN, ' +
      '/usr/lib/postgresql/*/bin and PATH); install the PostgreSQL server binaries or set PG_BIN.',
  );
}

function postgresUid(): number {
  return idOf('-u');
}

function postgresGid(): number {
  return idOf('-g');
}

function idOf(flag: '-u' | '-g'): number {
  const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      'a private PostgreSQL cannot be started here: we run as root and there is no `postgres` ' +
        'user to run it as (PostgreSQL refuses root).',
    );
  }
  return Number(result.stdout.trim());
}
