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
  control: string;
  requests: string;
  /** The claim function (see claimTicksFunction). */
  claim: string;
  anchors: string;
  /** Run totals per task, counted as history is appended. */
  stats: string;
}

/** Names the tables of `schema` (already checked) for SQL text. */
export function postgresTables(schema: string): PostgresTables {
  return {
    schema: `"${schema}"`,
    ticks: `"${schema}".task_ticks`,
    history: `"${schema}".run_history`,
    leases: `"${schema}".task_leases`,
    control: `"${schema}".task_control`,
    requests: `"${schema}".run_requests`,
    claim: `"${schema}".claim_ticks`,
    anchors: `"${schema}".task_anchors`,
    stats: `"${schema}".task_run_stats`,
  };
}

/**
 * The idempotent DDL of the coordinator's tables in `schema`, which `connect()` runs; run it
 * yourself (psql, your migration tool) if the application's role may not create tables.
 */
export function postgresMigration(schema: string = DEFAULT_POSTGRES_SCHEMA): string {
  const name = checkSchemaName(optionError('postgresMigration'), 'schema', schema);
  const tables = postgresTables(name);
  const { schema: quoted, ticks, history, leases, control, requests, anchors, stats } = tables;
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
-- Added with shared control. A claim now creates its task's row before judging the tick (so that
-- the row lock orders concurrent claims), hence a NULL high_water: never claimed.
ALTER TABLE ${ticks} ALTER COLUMN high_water DROP NOT NULL;
-- ticks used up since the last setTrigger (the loop budget's count, cluster-wide)
ALTER TABLE ${ticks} ADD COLUMN IF NOT EXISTS loops bigint NOT NULL DEFAULT 0;
-- overlap 'skip': the run in flight (its expiry on the database's clock, and its fencing token)
ALTER TABLE ${ticks} ADD COLUMN IF NOT EXISTS busy_until bigint;
ALTER TABLE ${ticks} ADD COLUMN IF NOT EXISTS busy_token bigint;
-- Added with repeated claims: who claimed the high-water tick, and its outcome ('won', 'paused',
-- 'overlap'; the token of a 'won' is fencing_token), so that its claimer asking again gets that.
ALTER TABLE ${ticks} ADD COLUMN IF NOT EXISTS claimed_by text;
ALTER TABLE ${ticks} ADD COLUMN IF NOT EXISTS claim_outcome text;
CREATE TABLE IF NOT EXISTS ${control} (
  task_id text PRIMARY KEY,
  -- NULL until paused or resumed once: as declared in code
  paused boolean,
  -- grows with each change; trigger_version is the version of the last setTrigger
  version bigint NOT NULL,
  trigger_version bigint NOT NULL DEFAULT 0,
  -- the trigger's describe() data; NULL: the one declared in code
  trigger jsonb
);
CREATE TABLE IF NOT EXISTS ${requests} (
  task_id text NOT NULL,
  request_id text NOT NULL,
  holder text NOT NULL,
  -- on the database's clock (epoch ms)
  expires_at bigint NOT NULL,
  PRIMARY KEY (task_id, request_id)
);
${claimTicksFunction(tables)}
-- Added with anchors: the first instant proposed for each (task, schedule), kept for good.
CREATE TABLE IF NOT EXISTS ${anchors} (
  task_id text NOT NULL,
  schedule text NOT NULL,
  anchor_at bigint NOT NULL,
  PRIMARY KEY (task_id, schedule)
);
-- Added with shared counters: each task's run totals, counted from the first append on (records
-- stored before this table existed are not counted).
CREATE TABLE IF NOT EXISTS ${stats} (
  task_id text PRIMARY KEY,
  -- records of attempts that started (startedAt set)
  run_count bigint NOT NULL DEFAULT 0,
  succeeded bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  timed_out bigint NOT NULL DEFAULT 0,
  skipped bigint NOT NULL DEFAULT 0,
  missed bigint NOT NULL DEFAULT 0,
  cancelled bigint NOT NULL DEFAULT 0,
  -- the newest record appended
  last_run jsonb
);
-- Added with idempotent appends: one row per (task, run, attempt), so that an append retried
-- after its reply was lost is skipped. Duplicates written before are removed first (keeping the
-- oldest), only while the index does not exist yet.
DO $$
BEGIN
  IF to_regclass('${quoted}.run_history_run') IS NULL THEN
    DELETE FROM ${history} a USING ${history} b
    WHERE a.task_id = b.task_id AND a.record->>'runId' = b.record->>'runId'
      AND a.record->>'attempt' = b.record->>'attempt' AND a.id > b.id;
  END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS run_history_run
  ON ${history} (task_id, (record->>'runId'), (record->>'attempt'));
COMMIT;
`;
}

/**
 * The claim of a batch of ticks, as a function: each tick is judged on the task's rows, one
 * after the other, by the same checks in the same order as the in-memory coordinator and the
 * Redis script (early, taken, paused, stale, exhausted, overlap, won; see CLAIM_SCRIPT's comment
 * in lib/redis/redis.scripts.ts for what each means). Answers one row per tick with its input
 * position. Called in one statement per batch (claimTicksSql).
 *
 * - The store's clock (clock_timestamp()) is read once per batch.
 * - Ticks are judged in task id order (input order within a task): every replica locks rows in
 *   the same order, so overlapping batches cannot deadlock. The control row is locked FOR SHARE
 *   before the claim row, as writeControl locks them, so a claim waits for a pause being
 *   committed and then sees it.
 * - The claim row is created first (NULL high_water) when missing; a concurrent first claim
 *   waits on that insert, then finds the row.
 */
function claimTicksFunction({ ticks, control, claim }: PostgresTables): string {
  // Dropped first: CREATE OR REPLACE cannot change the columns an earlier version returned. Inside
  // the migration's transaction, so a concurrent claim sees the old function or the new one.
  return `DROP FUNCTION IF EXISTS ${claim}(text[], bigint[], bigint[], bigint[], bigint[], text, bigint);
CREATE OR REPLACE FUNCTION ${claim}(
  task_ids text[], nominal bigint[], versions bigint[], budgets bigint[], in_flight_ttls bigint[],
  instance_id text, tolerance bigint
) RETURNS TABLE (claim_ord bigint, claim_outcome text, claim_token bigint, claim_now bigint)
LANGUAGE plpgsql AS $claim$
DECLARE
  now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  tick record;
  v_paused boolean;
  v_trigger_version bigint;
  v_high_water bigint;
  v_claimed_by text;
  v_claim_outcome text;
  v_token bigint;
  v_loops bigint;
  v_busy_until bigint;
  -- tasks whose run this batch marked in flight (see the in-memory coordinator)
  v_marked text[] := '{}';
BEGIN
  FOR tick IN
    SELECT i.task_id, i.at, i.version, i.budget, i.ttl, i.ord
    FROM unnest(task_ids, nominal, versions, budgets, in_flight_ttls)
      WITH ORDINALITY AS i(task_id, at, version, budget, ttl, ord)
    ORDER BY i.task_id, i.ord
  LOOP
    claim_ord := tick.ord;
    claim_token := NULL;
    claim_now := now_ms;
    IF tick.at > now_ms + tolerance THEN
      claim_outcome := 'early';
      RETURN NEXT;
      CONTINUE;
    END IF;
    v_paused := false;
    v_trigger_version := 0;
    SELECT c.paused, c.trigger_version INTO v_paused, v_trigger_version
    FROM ${control} c WHERE c.task_id = tick.task_id FOR SHARE;
    INSERT INTO ${ticks} (task_id, high_water, fencing_token) VALUES (tick.task_id, NULL, 0)
    ON CONFLICT (task_id) DO NOTHING;
    SELECT t.high_water, t.loops, t.busy_until, t.claimed_by, t.claim_outcome, t.fencing_token
    INTO v_high_water, v_loops, v_busy_until, v_claimed_by, v_claim_outcome, v_token
    FROM ${ticks} t WHERE t.task_id = tick.task_id FOR UPDATE;
    IF tick.at = v_high_water AND v_claimed_by = instance_id AND v_claim_outcome IS NOT NULL THEN
      -- Its claimer again (the reply was lost): the same answer, and nothing changes.
      claim_outcome := v_claim_outcome;
      IF v_claim_outcome = 'won' THEN
        claim_token := v_token;
      END IF;
    ELSIF v_high_water IS NOT NULL AND tick.at <= v_high_water THEN
      claim_outcome := 'taken';
    ELSIF coalesce(v_paused, false) THEN
      -- Used up, not counted: no replica runs it, and a restart does not catch it up.
      UPDATE ${ticks} SET high_water = tick.at, claimed_by = instance_id, claim_outcome = 'paused'
      WHERE task_id = tick.task_id;
      claim_outcome := 'paused';
    ELSIF tick.version < coalesce(v_trigger_version, 0) THEN
      -- Left for the replicas that plan with the current trigger.
      claim_outcome := 'stale';
    ELSIF tick.budget IS NOT NULL AND v_loops >= tick.budget THEN
      claim_outcome := 'exhausted';
    ELSIF tick.ttl IS NOT NULL AND v_busy_until > now_ms AND NOT tick.task_id = ANY(v_marked) THEN
      -- Used up and counted: exactly one replica hears 'overlap' and records it skipped.
      UPDATE ${ticks}
      SET high_water = tick.at, loops = loops + 1, claimed_by = instance_id, claim_outcome = 'overlap'
      WHERE task_id = tick.task_id;
      claim_outcome := 'overlap';
    ELSE
      UPDATE ${ticks} SET
        high_water = tick.at,
        claimed_by = instance_id,
        claim_outcome = 'won',
        loops = loops + 1,
        fencing_token = fencing_token + 1,
        busy_until = CASE WHEN tick.ttl IS NULL THEN busy_until ELSE now_ms + tick.ttl END,
        busy_token = CASE WHEN tick.ttl IS NULL THEN busy_token ELSE fencing_token + 1 END
      WHERE task_id = tick.task_id
      RETURNING fencing_token INTO claim_token;
      IF tick.ttl IS NOT NULL THEN
        v_marked := v_marked || tick.task_id;
      END IF;
      claim_outcome := 'won';
    END IF;
    RETURN NEXT;
  END LOOP;
END
$claim$;`;
}
