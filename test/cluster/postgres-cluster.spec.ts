import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { PostgresCoordinator } from '../../lib/postgres/index.js';
import { DATABASE_URL, requirePostgres } from './postgres-server.js';
import { expectEachTickOnce, runReplicas } from './replicas.js';

const schema = `t${Date.now().toString(36)}_cluster`;

beforeAll(async () => {
  await requirePostgres(DATABASE_URL);
});
afterAll(async () => {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

describe('3 replicas on PostgreSQL (real time)', () => {
  it('run each tick of 5 secondly crons once; the history is the same on every replica', async () => {
    const { runs, histories } = await runReplicas(
      () => new PostgresCoordinator({ connectionString: DATABASE_URL, schema }),
    );
    expect(runs.length).toBeGreaterThanOrEqual(5 * 2);
    expectEachTickOnce(runs, 5);
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);
  }, 30_000);
});
