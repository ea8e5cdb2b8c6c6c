import { Redis } from 'ioredis';
import pg from 'pg';
import type { ReplicaEnv } from './replica.js';

// A user's own resource guarded by the fencing token, as README advises: a write carries the
// token and is refused when the resource has already seen a higher one. It lives in the scenario's
// store, beside the coordinator's keys or tables, so the harness cleans it up with them.

/** A fenced register: `write(token)` answers whether the token was accepted (not stale). */
export interface FencedResource {
  write(token: number): Promise<boolean>;
  close(): Promise<void>;
}

const REDIS_FENCE = `
local seen = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) < seen then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/** The fenced register of the replica's store and namespace. */
export function fencedResource(env: ReplicaEnv): FencedResource {
  if (env.STORE === 'redis') {
    const client = new Redis(env.STORE_URL, { enableOfflineQueue: false, lazyConnect: false });
    client.on('error', () => undefined); // outages are the scenarios' business
    const key = `{${env.STORE_NAMESPACE}}:harness-fence`;
    return {
      write: async (token) => (await client.eval(REDIS_FENCE, 1, key, token)) === 1,
      close: async () => void (await client.quit().catch(() => client.disconnect())),
    };
  }
  const pool = new pg.Pool({ connectionString: env.STORE_URL, max: 1 });
  pool.on('error', () => undefined);
  const table = `"${env.STORE_NAMESPACE}".harness_fence`;
  let created: Promise<unknown> | undefined;
  return {
    write: async (token) => {
      // The coordinator's migration made the schema at bootstrap, before any run.
      created ??= pool
        .query(`CREATE TABLE IF NOT EXISTS ${table} (id int PRIMARY KEY, token bigint NOT NULL)`)
        .catch((error: unknown) => {
          created = undefined;
          throw error;
        });
      await created;
      const { rowCount } = await pool.query(
        `INSERT INTO ${table} AS f (id, token) VALUES (1, $1) ON CONFLICT (id)
         DO UPDATE SET token = EXCLUDED.token WHERE f.token <= EXCLUDED.token`,
        [token],
      );
      return rowCount === 1;
    },
    close: () => pool.end(),
  };
}
