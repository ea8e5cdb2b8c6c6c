import { optionError } from '../errors.js';
import { checkString, type ErrorFactory } from '../utils/validation.js';
import { postgresMessages } from './postgres.messages.js';

/** The schema used when none is given. */
export const DEFAULT_POSTGRES_SCHEMA = 'aioclock';

// Lowercase only, so that the name reads the same quoted or not in psql; "pg_" is reserved.
const SCHEMA_NAME = /^(?!pg_)[a-z_][a-z0-9_]{0,62}$/;

/** Rejects anything but a schema name that is safe to quote into SQL as an identifier. */
export function checkSchemaName(fail: ErrorFactory, field: string, value: unknown): string {
  const name = checkString(fail, field, value);
  if (!SCHEMA_NAME.test(name)) throw fail(field, postgresMessages.badSchemaName(value));
  return name;
}

/** The quoted names of the coordinator's tables in one schema. */
export interface PostgresTables {
  schema: string;
  ticks: string;
  history: string;
  leases: string;
  anchors: string;
}

/** Names the tables of `schema` (already checked) for SQL text. */
export function postgresTables(schema: string): PostgresTables {
  return {
    schema: `"${schema}"`,
    ticks: `"${schema}".task_ticks`,
    history: `"${schema}".run_history`,
    leases: `"${schema}".task_leases`,
    anchors: `"${schema}".task_anchors`,
  };
}

/**
 * The idempotent DDL of the coordinator's tables in `schema`, which `connect()` runs; run it
 * yourself (psql, your migration tool) if the application's role may not create tables.
 */
export function postgresMigration(schema: string = DEFAULT_POSTGRES_SCHEMA): string {
  const name = checkSchemaName(optionError('postgresMigration'), 'schema', schema);
  const { schema: quoted, ticks, history, leases, anchors } = postgresTables(name);
  // Replicas starting together race on CREATE ... IF NOT EXISTS, which can still fail on the
  // catalog's unique index; the advisory lock (per schema, held to COMMIT) makes them take turns.
  return `BEGIN;
SELECT pg_advisory_xact_lock(hashtext('nestjs-aioclock:migrate:${name}'));
CREATE SCHEMA IF NOT EXISTS ${quoted};
CREATE TABLE IF NOT EXISTS ${ticks} (
  task_id text PRIMARY KEY,
  -- the nominal time (epoch ms) of the last tick won
  high_water bigint NOT NULL,
  fencing_token bigint NOT NULL,
  -- high_water before the last claim: tells a claim which ticks of its batch it won
  prior_high_water bigint
);
CREATE TABLE IF NOT EXISTS ${history} (
  id bigserial PRIMARY KEY,
  task_id text NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS run_history_task_newest ON ${history} (task_id, id DESC);
-- Added with leases: a table of its own, so that a schema of the previous version gains it here.
CREATE TABLE IF NOT EXISTS ${leases} (
  task_id text PRIMARY KEY,
  -- NULL once released; the row stays so that the epoch keeps growing across holders
  holder text,
  epoch bigint NOT NULL,
  -- on the database's clock (epoch ms)
  expires_at bigint NOT NULL
);
-- Added with anchors: the first instant proposed for each (task, schedule), kept for good.
CREATE TABLE IF NOT EXISTS ${anchors} (
  task_id text NOT NULL,
  schedule text NOT NULL,
  anchor_at bigint NOT NULL,
  PRIMARY KEY (task_id, schedule)
);
COMMIT;
`;
}
