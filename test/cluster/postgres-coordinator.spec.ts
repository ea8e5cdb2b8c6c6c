import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import pg from 'pg';
import { OptionValidationError, validationMessages } from '../../lib/errors.js';
import { InMemoryCoordinator } from '../../lib/runner/in-memory-coordinator.js';
import type {
  ClaimOutcome,
  ClusterRunRecord,
  LeaseOutcome,
  TickClaim,
} from '../../lib/runner/coordinator.js';
import { PostgresCoordinator, postgresMigration } from '../../lib/postgres/index.js';
import { postgresMessages } from '../../lib/postgres/postgres.messages.js';
import { POSTGRES_OPTION_KEYS } from '../../lib/postgres/postgres.options.js';
import { describeCoordinator } from './coordinator.contract.js';
import { DATABASE_URL, requirePostgres } from './postgres-server.js';
import { silentProxy, within } from './silent-proxy.js';

// Every schema this file creates, dropped at the end; nothing else on the server is touched.
const schemas = new Set<string>();
const fresh = (label: string) => {
  const name = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}_${label}`;
  schemas.add(name);
  return name;
};
let admin: pg.Pool;

beforeAll(async () => {
  await requirePostgres(DATABASE_URL);
  admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
});
afterAll(async () => {
  for (const schema of schemas) await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin?.end();
});

const storeClock = async () => {
  const { rows } = await admin.query<{ now: string }>(
    'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS now',
  );
  return Number(rows[0].now);
};

describeCoordinator(
  'PostgresCoordinator',
  (namespace) => {
    schemas.add(namespace);
    return new PostgresCoordinator({ connectionString: DATABASE_URL, schema: namespace });
  },
  storeClock,
);

const won = (outcome: ClaimOutcome) => (outcome.won ? outcome.fencingToken : outcome.reason);
const holder = (outcome: LeaseOutcome) => (outcome.held ? outcome.epoch : outcome.holder);

describe('PostgresCoordinator', () => {
  describe('options', () => {
    const invalid = (options: unknown, field: string, reason: string) => {
      const make = () => new PostgresCoordinator(options as { connectionString: string });
      expect(make).toThrow(OptionValidationError);
      expect(make).toThrow(`PostgresCoordinator: invalid option ${field}: ${reason}`);
    };

    it('names the field and the reason of a bad option', () => {
      invalid(
        { connectionString: DATABASE_URL, schema: 'Billing' },
        'schema',
        postgresMessages.badSchemaName('Billing'),
      );
      invalid(
        { connectionString: DATABASE_URL, schema: 'x"; DROP TABLE y; --' },
        'schema',
        postgresMessages.badSchemaName('x"; DROP TABLE y; --'),
      );
      invalid(
        { connectionString: DATABASE_URL, schema: 'pg_temp' },
        'schema',
        postgresMessages.badSchemaName('pg_temp'),
      );
      invalid({}, 'connectionString', postgresMessages.poolOrConnectionString());
      invalid(
        { connectionString: DATABASE_URL, pool: admin },
        'pool',
        postgresMessages.poolOrConnectionString(),
      );
      invalid({ pool: {} }, 'pool', validationMessages.missingMethods(['query'], {}));
      invalid(
        { connectionString: DATABASE_URL, historySize: 0 },
        'historySize',
        validationMessages.notInteger({ min: 1 }, 0),
      );
      invalid(
        { connectionString: DATABASE_URL, commandTimeout: 0 },
        'commandTimeout',
        validationMessages.notNumber({ min: 1 }, 0),
      );
      invalid(
        { connectionString: DATABASE_URL, closeTimeout: '3s' },
        'closeTimeout',
        validationMessages.notNumber({ min: 0 }, '3s'),
      );
      invalid(
        { pool: admin, commandTimeout: 1_000 },
        'commandTimeout',
        postgresMessages.commandTimeoutWithPool(),
      );
      invalid(
        { connectionString: DATABASE_URL, shema: 'billing' },
        'shema',
        validationMessages.unknownKey([...POSTGRES_OPTION_KEYS]),
      );
    });

    it('uses the schema "aioclock" by default', () => {
      expect(new PostgresCoordinator({ connectionString: DATABASE_URL }).schema).toBe('aioclock');
      expect(postgresMigration()).toContain('CREATE SCHEMA IF NOT EXISTS "aioclock"');
    });

    it('says to call connect() before claiming, with a connection string or a pool', async () => {
      for (const coordinator of [
        new PostgresCoordinator({ connectionString: DATABASE_URL }),
        new PostgresCoordinator({ pool: admin }),
      ]) {
        await expect(
          coordinator.claimTicks('r', [{ taskId: 'x', scheduledAt: 0 }], 0),
        ).rejects.toThrow(postgresMessages.notConnected());
      }
    });
  });

  describe('connections', () => {
    it('leaves a pool passed in open at close', async () => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      const coordinator = new PostgresCoordinator({ pool, schema: fresh('own') });
      await coordinator.connect();
      await coordinator.close();
      expect(pool.ended).toBe(false);
      await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await pool.end();
    });

    it('ends the pool it opened at close', async () => {
      const end = jest.spyOn(pg.Pool.prototype, 'end');
      try {
        const coordinator = new PostgresCoordinator({
          connectionString: DATABASE_URL,
          schema: fresh('owned'),
        });
        await coordinator.connect();
        await coordinator.close();
        expect(end).toHaveBeenCalledTimes(1);
        await expect(coordinator.listHistory('x', 1)).rejects.toThrow(postgresMessages.closed());
      } finally {
        end.mockRestore();
      }
    });

    it('drops its connections after closeTimeout at close when the database stops answering, saying which history was not written', async () => {
      const proxy = await silentProxy(DATABASE_URL);
      try {
        const coordinator = new PostgresCoordinator({
          connectionString: proxy.url,
          schema: fresh('hang'),
          closeTimeout: 200,
        });
        await coordinator.connect();
        proxy.silence();
        const append = coordinator.appendHistory(hungRecord());
        append.catch(() => undefined);
        await expect(coordinator.close()).rejects.toThrow(postgresMessages.closeForced(200, 1));
        expect(await within(append, 1_000)).toBe('rejected: Error');
      } finally {
        await proxy.close();
      }
    });

    it('gives up waiting on a pool passed in after closeTimeout at close, and leaves it open', async () => {
      const proxy = await silentProxy(DATABASE_URL);
      const pool = new pg.Pool({ connectionString: proxy.url, max: 1 });
      pool.on('error', () => undefined);
      try {
        const coordinator = new PostgresCoordinator({
          pool,
          schema: fresh('hangown'),
          closeTimeout: 200,
        });
        await coordinator.connect();
        proxy.silence();
        coordinator.appendHistory(hungRecord()).catch(() => undefined);
        await expect(coordinator.close()).rejects.toThrow(postgresMessages.closeForced(200, 1));
        expect(pool.ended).toBe(false);
      } finally {
        await proxy.close();
        await pool.end();
      }
    });

    it('lets 3 replicas connect at once to a fresh schema', async () => {
      const schema = fresh('race');
      const replicas = [1, 2, 3].map(
        () => new PostgresCoordinator({ connectionString: DATABASE_URL, schema }),
      );
      try {
        await expect(Promise.all(replicas.map((r) => r.connect()))).resolves.toBeDefined();
        const now = await storeClock();
        expect(await replicas[2].claimTicks('r3', [{ taskId: 'a', scheduledAt: now }], 0)).toEqual([
          { won: true, fencingToken: 1 },
        ]);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });
  });

  describe('claims', () => {
    const schema = fresh('claims');
    let pool: pg.Pool;
    let replicas: PostgresCoordinator[];

    beforeAll(async () => {
      pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      replicas = [1, 2, 3, 4].map(
        () => new PostgresCoordinator({ connectionString: DATABASE_URL, schema }),
      );
      await Promise.all(replicas.map((r) => r.connect()));
    });
    afterAll(async () => {
      await Promise.all(replicas?.map((r) => r.close()) ?? []);
      await pool?.end();
    });

    it('claims a batch of 500 ticks in one query', async () => {
      const coordinator = new PostgresCoordinator({ pool, schema });
      await coordinator.connect();
      const now = await storeClock();
      const query = jest.spyOn(pg.Client.prototype, 'query');
      try {
        const ticks = Array.from({ length: 500 }, (_, i) => ({
          taskId: `batch-${i}`,
          scheduledAt: now - 1_000,
        }));
        expect(coordinator.clockOffsetMs).toBeNull();
        const outcomes = await coordinator.claimTicks('r', ticks, 0);
        expect(query).toHaveBeenCalledTimes(1);
        expect(outcomes.every((outcome) => outcome.won)).toBe(true);
        // Measured by the claim itself: no query of its own. One machine: a small offset.
        expect(Math.abs(coordinator.clockOffsetMs!)).toBeLessThan(60_000);
        query.mockClear();
        // Another replica (its claimer asking again would be answered won: a lost reply).
        expect((await coordinator.claimTicks('r2', ticks, 0)).map(won)).toEqual(
          Array(500).fill('taken'),
        );
        expect(query).toHaveBeenCalledTimes(1);
      } finally {
        query.mockRestore();
      }
    });

    it('gives each tick to one replica when 4 claim the same ticks at once, in any order', async () => {
      const now = await storeClock();
      const tasks = Array.from({ length: 40 }, (_, i) => `race-${i}`);
      for (let round = 0; round < 5; round++) {
        const ticks = tasks.map((taskId) => ({ taskId, scheduledAt: now - 10_000 + round }));
        // Different orders per replica: row locks taken in input order would deadlock.
        const batches = replicas.map((_, r) => shuffle(ticks, r + round));
        const answers = await Promise.all(
          replicas.map((replica, r) => replica.claimTicks(`r${r}`, batches[r], 0)),
        );
        for (const { taskId } of ticks) {
          const winners = answers.flatMap((outcomes, r) =>
            outcomes.filter((outcome, i) => outcome.won && batches[r][i].taskId === taskId),
          );
          expect(winners).toEqual([{ won: true, fencingToken: round + 1 }]);
        }
      }
    });

    it('judges several ticks of one task in a batch as the in-memory coordinator does', async () => {
      const now = await storeClock();
      const memory = new InMemoryCoordinator();
      const batches: TickClaim[][] = [
        [10, 20, 20, 5, 30].map((ago) => ({ taskId: 'dup', scheduledAt: now - 100 + ago })),
        [25, 40, 35, 50, 1e9].map((ago) => ({ taskId: 'dup', scheduledAt: now - 100 + ago })),
        [
          { taskId: 'dup', scheduledAt: now },
          { taskId: 'other', scheduledAt: now },
        ],
      ];
      for (const batch of batches) {
        expect((await replicas[1].claimTicks('r', batch, 0)).map(won)).toEqual(
          (await memory.claimTicks('r', batch, 0)).map(won),
        );
      }
    });
  });

  describe('leases', () => {
    const schema = fresh('leases');
    let pool: pg.Pool;
    let replicas: PostgresCoordinator[];

    beforeAll(async () => {
      pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      replicas = [1, 2, 3, 4].map(
        () => new PostgresCoordinator({ connectionString: DATABASE_URL, schema }),
      );
      await Promise.all(replicas.map((r) => r.connect()));
    });
    afterAll(async () => {
      await Promise.all(replicas?.map((r) => r.close()) ?? []);
      await pool?.end();
    });

    it('takes or renews 50 leases in one query, and releases them in one', async () => {
      const coordinator = new PostgresCoordinator({ pool, schema });
      await coordinator.connect();
      const tasks = Array.from({ length: 50 }, (_, i) => `many-${i}`);
      const query = jest.spyOn(pg.Client.prototype, 'query');
      try {
        expect((await coordinator.holdLeases('r', tasks, 60_000)).map(holder)).toEqual(
          Array(50).fill(1),
        );
        expect(query).toHaveBeenCalledTimes(1);
        query.mockClear();
        expect((await coordinator.holdLeases('r', tasks, 60_000)).map(holder)).toEqual(
          Array(50).fill(1),
        );
        expect(query).toHaveBeenCalledTimes(1);
        query.mockClear();
        await coordinator.releaseLeases('r', tasks);
        expect(query).toHaveBeenCalledTimes(1);
      } finally {
        query.mockRestore();
      }
      expect((await replicas[0].holdLeases('r0', tasks, 60_000)).map(holder)).toEqual(
        Array(50).fill(2),
      );
    });

    it('gives each lease to one replica when 4 race for the same 20, in any order', async () => {
      const tasks = Array.from({ length: 20 }, (_, i) => `race-${i}`);
      for (let round = 0; round < 5; round++) {
        // Different orders per replica: row locks taken in input order would deadlock.
        const batches = replicas.map((_, r) => shuffle(tasks, r + round));
        const answers = await Promise.all(
          replicas.map((replica, r) => replica.holdLeases(`r${r}`, batches[r], 60_000)),
        );
        const holders = new Set<number>();
        for (const taskId of tasks) {
          const outcomes = answers.map((outcomes, r) => outcomes[batches[r].indexOf(taskId)]);
          const winners = outcomes.flatMap((outcome, r) => (outcome.held ? [r] : []));
          expect(winners).toHaveLength(1);
          expect(outcomes[winners[0]]).toEqual({ held: true, epoch: round + 1 });
          // The others are told who holds it.
          expect(outcomes.filter((outcome) => !outcome.held)).toEqual(
            Array(3).fill({ held: false, holder: `r${winners[0]}` }),
          );
          holders.add(winners[0]);
        }
        // Release, so that the next round races again for free leases.
        await Promise.all([...holders].map((r) => replicas[r].releaseLeases(`r${r}`, tasks)));
      }
    });

    it('judges a batch mixing free, own, taken and repeated leases as the in-memory coordinator does', async () => {
      const memory = new InMemoryCoordinator();
      const steps: [string, 'hold' | 'release', string[]][] = [
        ['a', 'hold', ['m1', 'm2']],
        ['b', 'hold', ['m2', 'm3', 'm1', 'm3']],
        ['a', 'release', ['m1', 'm3']],
        ['b', 'hold', ['m3', 'm1', 'm2', 'm4']],
        ['b', 'release', ['m1', 'm2', 'm3']],
        ['a', 'hold', ['m4', 'm3', 'm2', 'm1', 'm1']],
      ];
      for (const [instance, action, tasks] of steps) {
        if (action === 'release') {
          await replicas[2].releaseLeases(instance, tasks);
          await memory.releaseLeases(instance, tasks);
          continue;
        }
        expect((await replicas[2].holdLeases(instance, tasks, 60_000)).map(holder)).toEqual(
          (await memory.holdLeases(instance, tasks, 60_000)).map(holder),
        );
      }
    });

    it('upgrades a history with duplicate records (before idempotent appends) to one row per run attempt', async () => {
      const old = fresh('dupes');
      await admin.query(postgresMigration(old));
      await admin.query(`DROP INDEX "${old}".run_history_run`);
      const row = (runId: string) => JSON.stringify({ ...hungRecord(), taskId: 'd', runId });
      await admin.query(
        `INSERT INTO "${old}".run_history (task_id, record) VALUES ('d', $1), ('d', $1), ('d', $2)`,
        [row('one'), row('two')],
      );
      const coordinator = new PostgresCoordinator({ pool, schema: old });
      await coordinator.connect();
      const kept = async () => (await coordinator.listHistory('d', 10)).map((r) => r.runId);
      expect(await kept()).toEqual(['two', 'one']);
      await coordinator.appendHistory({ ...hungRecord(), taskId: 'd', runId: 'one' });
      // Run again (as by the next deploy), the migration keeps every row.
      await admin.query(postgresMigration(old));
      expect(await kept()).toEqual(['two', 'one']);
    });

    it('upgrades a schema made by the version before leases', async () => {
      const old = fresh('upgrade');
      await admin.query(postgresMigration(old));
      await admin.query(`DROP TABLE "${old}".task_leases`);
      const coordinator = new PostgresCoordinator({ pool, schema: old });
      await coordinator.connect();
      expect(await coordinator.holdLeases('r', ['up'], 60_000)).toEqual([{ held: true, epoch: 1 }]);
      // Run again (as by the next deploy), the migration keeps the lease and its epoch.
      await admin.query(postgresMigration(old));
      expect(await coordinator.holdLeases('r', ['up'], 60_000)).toEqual([{ held: true, epoch: 1 }]);
    });
  });

  describe('history', () => {
    it('keeps the newest historySize records per task', async () => {
      const schema = fresh('history');
      const coordinator = new PostgresCoordinator({
        connectionString: DATABASE_URL,
        schema,
        historySize: 3,
      });
      await coordinator.connect();
      try {
        for (let i = 1; i <= 5; i++) {
          await coordinator.appendHistory({
            runId: `run-${i}`,
            taskId: 'capped',
            taskName: 'capped',
            origin: 'manual',
            scheduledAt: null,
            startedAt: new Date(i),
            finishedAt: new Date(i + 1),
            status: 'succeeded',
            attempt: 1,
            error: null,
            result: '"ok"',
            instanceId: 'r',
            fencingToken: null,
          });
        }
        const seen = await coordinator.listHistory('capped', 10);
        expect(seen.map((r) => r.runId)).toEqual(['run-5', 'run-4', 'run-3']);
        expect(seen[0]).toMatchObject({ scheduledAt: null, startedAt: new Date(5) });
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM "${schema}".run_history`,
        );
        expect(rows).toEqual([{ n: 3 }]);
      } finally {
        await coordinator.close();
      }
    });
  });
});

/** A fixed permutation per seed, so a failure replays. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed * 2654435761 + 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A history record, for the tests whose database stops answering. */
function hungRecord(): ClusterRunRecord {
  const at = new Date(0);
  return {
    ...{ runId: 'hung', taskId: 'hung', taskName: 'hung', origin: 'schedule', attempt: 1 },
    ...{ scheduledAt: at, startedAt: at, finishedAt: at, status: 'succeeded', error: null },
    ...{ result: null, instanceId: 'replica-a', fencingToken: null },
  };
}
