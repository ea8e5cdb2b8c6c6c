import type { PostgresTables } from './postgres.migration.js';

/**
 * Claims a batch of ticks in one statement. Parameters: $1 task ids, $2 nominal times (epoch ms),
 * $3 tolerance (ms). Answers one row per input tick, in input order: `early`, and `token` when won.
 *
 * - The store's clock (clock_timestamp(), read once) judges 'early'.
 * - First writer wins: the upsert locks each task's row; a concurrent claim waits, then sees the
 *   committed high-water mark and updates nothing (WHERE high_water < new), so it loses.
 * - Rows are upserted in task id order, so two replicas claiming overlapping batches in different
 *   orders cannot deadlock.
 * - Several ticks of one task in a batch are judged as if claimed one after the other (as the
 *   in-memory coordinator does): only a tick later than the earlier ones of the batch is a
 *   candidate, the row moves once to the latest, the token grows by the number won, and
 *   prior_high_water tells which candidates were above the mark and so won. The inserted
 *   fencing_token is the task's number of candidates: when it is 1 (the usual case) the one
 *   candidate won, which spares the count over the batch.
 */
export function claimTicksSql({ ticks }: PostgresTables): string {
  return `WITH clock AS MATERIALIZED (
  SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms
),
input AS (
  SELECT i.task_id, i.scheduled_at, i.ord, i.scheduled_at > c.now_ms + $3::bigint AS early
  FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS i(task_id, scheduled_at, ord), clock c
),
candidates AS (
  SELECT task_id, scheduled_at, ord FROM (
    SELECT *, max(scheduled_at) OVER (
      PARTITION BY task_id ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS before
    FROM input WHERE NOT early
  ) ordered
  WHERE before IS NULL OR scheduled_at > before
),
claimed AS (
  INSERT INTO ${ticks} AS t (task_id, high_water, fencing_token)
  SELECT task_id, max(scheduled_at), count(*) FROM candidates GROUP BY task_id ORDER BY task_id
  ON CONFLICT (task_id) DO UPDATE SET
    prior_high_water = t.high_water,
    high_water = EXCLUDED.high_water,
    fencing_token = t.fencing_token + CASE WHEN EXCLUDED.fencing_token = 1 THEN 1 ELSE (
      SELECT count(*) FROM candidates c WHERE c.task_id = t.task_id AND c.scheduled_at > t.high_water
    ) END
  WHERE t.high_water < EXCLUDED.high_water
  RETURNING t.task_id, t.fencing_token, t.prior_high_water
),
won AS (
  SELECT c.ord,
    k.fencing_token - row_number() OVER (PARTITION BY c.task_id ORDER BY c.ord DESC) + 1 AS token
  FROM candidates c JOIN claimed k ON k.task_id = c.task_id
  WHERE k.prior_high_water IS NULL OR c.scheduled_at > k.prior_high_water
)
SELECT i.early, w.token::text AS token, (SELECT now_ms FROM clock)::text AS now_ms
FROM input i LEFT JOIN won w ON w.ord = i.ord ORDER BY i.ord`;
}

/**
 * Reads each task's high-water mark (the nominal time of its last tick won) in one statement.
 * Parameter: $1 task ids. Answers one row per input id, in input order: `high_water` as text
 * (bigint), NULL for a task never claimed.
 */
export function lastTicksSql({ ticks }: PostgresTables): string {
  return `SELECT t.high_water::text AS high_water
FROM unnest($1::text[]) WITH ORDINALITY AS i(task_id, ord)
LEFT JOIN ${ticks} t ON t.task_id = i.task_id
ORDER BY i.ord`;
}

/**
 * Takes or renews leases in one statement. Parameters: $1 instance id, $2 task ids, $3 ttl (ms).
 * Answers one row per input task, in input order: the `holder` after the statement and its
 * `epoch`; the caller holds the lease when `holder` is itself.
 *
 * - The store's clock (clock_timestamp(), read once) judges expiry.
 * - A lease that is free (released or expired) passes to $1 with epoch + 1; one $1 holds is
 *   extended with the same epoch; one another replica holds is left as it is. The new epoch
 *   counts on from the row, which outlives its holders (release only clears `holder`).
 * - A refused lease is still "updated" (to itself) rather than skipped by a WHERE: RETURNING then
 *   gives its current holder, where a read of the table would see the statement's snapshot, older
 *   than the row the upsert waited for in a race. The row lock is taken either way.
 * - Rows are upserted in task id order (as claims are), so overlapping batches cannot deadlock; a
 *   task named twice is upserted once (a second upsert of one row in a statement is an error) and
 *   both answers are the same, as the in-memory coordinator's would be.
 */
export function holdLeasesSql({ leases }: PostgresTables): string {
  const live = 'l.holder IS NOT NULL AND l.expires_at > (SELECT now_ms FROM clock)';
  return `WITH clock AS MATERIALIZED (
  SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms
),
input AS (
  SELECT task_id, ord FROM unnest($2::text[]) WITH ORDINALITY AS i(task_id, ord)
),
held AS (
  INSERT INTO ${leases} AS l (task_id, holder, epoch, expires_at)
  SELECT DISTINCT i.task_id, $1::text, 1::bigint, c.now_ms + $3::bigint
  FROM input i, clock c ORDER BY i.task_id
  ON CONFLICT (task_id) DO UPDATE SET
    holder = CASE WHEN ${live} THEN l.holder ELSE EXCLUDED.holder END,
    epoch = CASE WHEN ${live} THEN l.epoch ELSE l.epoch + 1 END,
    expires_at = CASE WHEN ${live} AND l.holder <> EXCLUDED.holder
      THEN l.expires_at ELSE EXCLUDED.expires_at END
  RETURNING l.task_id, l.holder, l.epoch
)
SELECT h.holder, h.epoch::text AS epoch FROM input i JOIN held h USING (task_id) ORDER BY i.ord`;
}

/**
 * Releases the leases among $2 (task ids) that $1 (instance id) holds, in one statement. The
 * rows are locked in task id order first, as holdLeases locks them, so the two cannot deadlock.
 */
export function releaseLeasesSql({ leases }: PostgresTables): string {
  return `WITH mine AS (
  SELECT task_id FROM ${leases} WHERE task_id = ANY($2::text[]) AND holder = $1
  ORDER BY task_id FOR UPDATE
)
UPDATE ${leases} l SET holder = NULL FROM mine WHERE l.task_id = mine.task_id AND l.holder = $1`;
}

/**
 * Appends a record ($1 task id, $2 record as JSON) and, in the same statement, deletes the task's
 * rows beyond the newest $3 (history size). The DELETE does not see the row being inserted (one
 * snapshot), so it keeps $3 - 1 older rows; two appends racing may leave one row too many until
 * the next append, which listHistory hides by capping its LIMIT.
 */
export function appendHistorySql({ history }: PostgresTables): string {
  return `WITH added AS (
  INSERT INTO ${history} (task_id, record) VALUES ($1, $2::jsonb)
)
DELETE FROM ${history} WHERE task_id = $1 AND id <= (
  SELECT id FROM ${history} WHERE task_id = $1 ORDER BY id DESC OFFSET $3::int - 1 LIMIT 1
)`;
}

/** The newest records of a task ($1), at most $2. */
export function listHistorySql({ history }: PostgresTables): string {
  return `SELECT record FROM ${history} WHERE task_id = $1 ORDER BY id DESC LIMIT $2`;
}

/** The store's clock in epoch ms, as claims judge it. */
export const STORE_CLOCK_SQL = `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS now_ms`;

/**
 * Keeps the first anchor proposed for each (task, schedule) and answers the kept ones, in one
 * statement. Parameters: $1 task ids, $2 schedules, $3 proposed anchors (epoch ms). Answers one
 * row per input proposal, in input order: `anchor_at` as text (bigint).
 *
 * - A proposal for a row that exists is an update of the row to itself rather than DO NOTHING:
 *   RETURNING then gives the committed anchor even when another replica inserted it after this
 *   statement's snapshot was taken (a read of the table would not see it).
 * - A (task, schedule) named twice is upserted once, with its first proposal (a second upsert of
 *   one row in a statement is an error); rows go in key order, so overlapping batches cannot
 *   deadlock.
 */
export function anchorsSql({ anchors }: PostgresTables): string {
  return `WITH input AS (
  SELECT task_id, schedule, proposed_at, ord
  FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS i(task_id, schedule, proposed_at, ord)
),
kept AS (
  INSERT INTO ${anchors} AS a (task_id, schedule, anchor_at)
  SELECT DISTINCT ON (task_id, schedule) task_id, schedule, proposed_at
  FROM input ORDER BY task_id, schedule, ord
  ON CONFLICT (task_id, schedule) DO UPDATE SET anchor_at = a.anchor_at
  RETURNING a.task_id, a.schedule, a.anchor_at
)
SELECT k.anchor_at::text AS anchor_at FROM input i JOIN kept k USING (task_id, schedule) ORDER BY i.ord`;
}
