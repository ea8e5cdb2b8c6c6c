import type { PostgresTables } from './postgres.migration.js';

/**
 * Claims a batch of ticks in one statement, through the claim function the migration creates
 * (its comment says how ticks are judged). Parameters: $1 task ids, $2 nominal times (epoch ms),
 * $3 control versions, $4 loop budgets (NULL: none), $5 in-flight ttls (NULL: not marked), $6
 * instance id, $7 tolerance (ms). Answers one row per input tick, in input order: `outcome` and,
 * when won, `token`.
 */
export function claimTicksSql({ claim }: PostgresTables): string {
  return `SELECT claim_outcome AS outcome, claim_token::text AS token, claim_now::text AS now_ms
FROM ${claim}($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text, $7::bigint)
ORDER BY claim_ord`;
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
 * Appends a batch of records in one statement: $1 task ids, $2 records (JSON), $3 their fencing
 * tokens (NULL for none), $4 history size. One statement per batch, not per record: at a thousand
 * runs a second, a commit per record falls behind, and the in-flight marks (overlap 'skip') that
 * the records clear would then refuse the next ticks.
 *
 * - Each task keeps its newest $4 rows: the DELETE does not see the rows being inserted (one
 *   snapshot), so it keeps $4 minus the task's new rows of older ones. Two batches racing may
 *   leave a few rows too many until the next, which listHistory hides by capping its LIMIT.
 * - A record carrying the token of its task's run marked in flight clears that mark; the claim
 *   rows are locked in task id order first, as claims lock them, so the two cannot deadlock.
 * - Idempotent by (task, run id, attempt), the history's unique index: a record appended again
 *   (a retry after a lost reply) is skipped, neither listed nor counted twice, while the history
 *   keeps the first.
 * - Each task's totals row is upserted once with the counts of the rows inserted and its newest
 *   one (ids follow input order) as `last_run`; rows go in task id order, and only appends lock
 *   them, after the claim rows, so concurrent batches take the same locks in the same order.
 */
export function appendHistorySql({ history, ticks, stats }: PostgresTables): string {
  return `WITH input AS (
  SELECT * FROM unnest($1::text[], $2::jsonb[], $3::bigint[]) WITH ORDINALITY
    AS i(task_id, record, token, ord)
),
added AS (
  INSERT INTO ${history} (task_id, record) SELECT task_id, record FROM input ORDER BY ord
  ON CONFLICT DO NOTHING
  RETURNING id, task_id, record
),
marks AS (
  SELECT t.task_id FROM ${ticks} t JOIN input i ON t.task_id = i.task_id AND t.busy_token = i.token
  ORDER BY t.task_id FOR UPDATE OF t
),
cleared AS (
  UPDATE ${ticks} t SET busy_until = NULL, busy_token = NULL FROM marks
  WHERE t.task_id = marks.task_id
),
per_task AS (
  SELECT task_id, count(*) AS added FROM added GROUP BY task_id
),
counted AS (
  INSERT INTO ${stats} AS s
    (task_id, run_count, succeeded, failed, timed_out, skipped, missed, cancelled, last_run)
  SELECT task_id,
    count(*) FILTER (WHERE record->>'startedAt' IS NOT NULL),
    count(*) FILTER (WHERE record->>'status' = 'succeeded'),
    count(*) FILTER (WHERE record->>'status' = 'failed'),
    count(*) FILTER (WHERE record->>'status' = 'timedOut'),
    count(*) FILTER (WHERE record->>'status' = 'skipped'),
    count(*) FILTER (WHERE record->>'status' = 'missed'),
    count(*) FILTER (WHERE record->>'status' = 'cancelled'),
    (array_agg(record ORDER BY id DESC))[1]
  FROM added GROUP BY task_id ORDER BY task_id
  ON CONFLICT (task_id) DO UPDATE SET
    run_count = s.run_count + EXCLUDED.run_count,
    succeeded = s.succeeded + EXCLUDED.succeeded,
    failed = s.failed + EXCLUDED.failed,
    timed_out = s.timed_out + EXCLUDED.timed_out,
    skipped = s.skipped + EXCLUDED.skipped,
    missed = s.missed + EXCLUDED.missed,
    cancelled = s.cancelled + EXCLUDED.cancelled,
    last_run = EXCLUDED.last_run
),
beyond AS (
  SELECT h.id FROM (
    SELECT id, task_id, row_number() OVER (PARTITION BY task_id ORDER BY id DESC) AS newest
    FROM ${history} WHERE task_id IN (SELECT task_id FROM per_task)
  ) h JOIN per_task p USING (task_id)
  WHERE h.newest > greatest($4::int - p.added, 0)
)
DELETE FROM ${history} WHERE id IN (SELECT id FROM beyond)`;
}

/** The newest records of a task ($1), at most $2. */
export function listHistorySql({ history }: PostgresTables): string {
  return `SELECT record FROM ${history} WHERE task_id = $1 ORDER BY id DESC LIMIT $2`;
}

/**
 * Commits one control change ($1 task id, $2 'pause' | 'resume' | 'setTrigger', $3 the trigger's
 * description for setTrigger) in one statement and answers the state committed. setTrigger also
 * restarts the task's loop budget count; that UPDATE joins the upserted row, so the control row is
 * locked before the claim row, in the order claims lock them.
 */
export function writeControlSql({ control, ticks }: PostgresTables): string {
  return `WITH changed AS (
  INSERT INTO ${control} AS c (task_id, paused, version, trigger_version, trigger)
  VALUES (
    $1,
    CASE $2 WHEN 'pause' THEN true WHEN 'resume' THEN false END,
    1,
    CASE WHEN $2 = 'setTrigger' THEN 1 ELSE 0 END,
    $3::jsonb
  )
  ON CONFLICT (task_id) DO UPDATE SET
    version = c.version + 1,
    paused = CASE $2 WHEN 'pause' THEN true WHEN 'resume' THEN false ELSE c.paused END,
    trigger_version = CASE WHEN $2 = 'setTrigger' THEN c.version + 1 ELSE c.trigger_version END,
    trigger = CASE WHEN $2 = 'setTrigger' THEN EXCLUDED.trigger ELSE c.trigger END
  RETURNING c.task_id, c.paused, c.version, c.trigger_version, c.trigger
),
restarted AS (
  UPDATE ${ticks} t SET loops = 0 FROM changed
  WHERE t.task_id = changed.task_id AND $2 = 'setTrigger'
)
SELECT paused, version::text AS version, trigger_version::text AS trigger_version, trigger
FROM changed`;
}

/**
 * The control state and run totals of many tasks ($1 ids) in input order; NULL control columns
 * for a task never changed, NULL totals (`run_count`) before its first record. In the same
 * statement, renews the in-flight marks of this replica's runs ($2 task ids, $3 their
 * fencing tokens, $4 ttl in ms, on the database's clock) whose token is still the task's. The
 * rows are locked in task id order first, as claims lock them, so the two cannot deadlock.
 */
export function readControlSql({ control, ticks, stats }: PostgresTables): string {
  return `WITH runs AS (
  SELECT t.task_id FROM ${ticks} t
  JOIN unnest($2::text[], $3::bigint[]) AS r(task_id, token)
    ON t.task_id = r.task_id AND t.busy_token = r.token
  ORDER BY t.task_id FOR UPDATE OF t
),
renewed AS (
  UPDATE ${ticks} t
  SET busy_until = (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $4::bigint
  FROM runs WHERE t.task_id = runs.task_id
)
SELECT c.paused, c.version::text AS version, c.trigger_version::text AS trigger_version,
  c.trigger, s.run_count::text AS run_count, s.succeeded::text AS succeeded,
  s.failed::text AS failed, s.timed_out::text AS timed_out, s.skipped::text AS skipped,
  s.missed::text AS missed, s.cancelled::text AS cancelled, s.last_run
FROM unnest($1::text[]) WITH ORDINALITY AS i(task_id, ord)
LEFT JOIN ${control} c ON c.task_id = i.task_id
LEFT JOIN ${stats} s ON s.task_id = i.task_id
ORDER BY i.ord`;
}

/**
 * Records a manual run request first-writer-wins: $1 instance id, $2 task id, $3 request id, $4
 * ttl (ms). Answers a row when this call recorded it (new, or the old one expired on the
 * database's clock). The task's other expired requests are deleted on the way, so the table
 * holds about one ttl's worth.
 */
export function claimRequestSql({ requests }: PostgresTables): string {
  return `WITH clock AS MATERIALIZED (
  SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms
),
swept AS (
  DELETE FROM ${requests}
  WHERE task_id = $2 AND request_id <> $3 AND expires_at <= (SELECT now_ms FROM clock)
)
INSERT INTO ${requests} AS r (task_id, request_id, holder, expires_at)
SELECT $2, $3, $1, now_ms + $4::bigint FROM clock
ON CONFLICT (task_id, request_id) DO UPDATE SET
  holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
WHERE r.expires_at <= (SELECT now_ms FROM clock)
RETURNING 1 AS won`;
}

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

/** Every statement of the coordinator, as text for the tables of one schema. */
export function postgresQueries(tables: PostgresTables) {
  return {
    claim: claimTicksSql(tables),
    last: lastTicksSql(tables),
    hold: holdLeasesSql(tables),
    release: releaseLeasesSql(tables),
    append: appendHistorySql(tables),
    list: listHistorySql(tables),
    writeControl: writeControlSql(tables),
    readControl: readControlSql(tables),
    request: claimRequestSql(tables),
    anchors: anchorsSql(tables),
  };
}

/** The coordinator's statements by name (see postgresQueries). */
export type PostgresQueries = ReturnType<typeof postgresQueries>;
