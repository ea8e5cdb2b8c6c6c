import type { Pool } from 'pg';
import { ClockOffsetMeter } from '../runner/clock-offset-meter.js';
import { runStatsFrom, type ClusterRunStats } from '../runner/cluster-run-stats.js';
import { reviveRunRecord } from '../runner/coordinator.js';
import type {
  AnchorProposal,
  ClaimOutcome,
  ClaimRefusal,
  ClusterRunRecord,
  ControlChange,
  ControlState,
  Coordinator,
  InFlightRun,
  LeaseOutcome,
  SharedTaskState,
  TickClaim,
} from '../runner/coordinator.js';
import { settlesWithin } from '../utils/settles-within.js';
import { GroupCommit } from './group-commit.js';
import { createPool } from './postgres.connection.js';
import { postgresMessages } from './postgres.messages.js';
import { postgresMigration, postgresTables } from './postgres.migration.js';
import { resolvePostgresOptions, type PostgresCoordinatorOptions } from './postgres.options.js';
import { postgresQueries, type PostgresQueries } from './postgres.queries.js';

/** Records written in one history statement at most. */
const MAX_HISTORY_BATCH = 1_000;

/**
 * The coordinator of replicas sharing a PostgreSQL database (`pg`, loaded only when a connection
 * string is given). Claims are judged on the database's clock, one statement per batch.
 */
export class PostgresCoordinator implements Coordinator {
  readonly kind = 'postgres';
  /** The store's clock minus this one's, measured on each claim (which reads the store's clock anyway). */
  get clockOffsetMs(): number | null {
    return this.clock.offsetMs;
  }
  private readonly clock = new ClockOffsetMeter();
  /** The schema holding this coordinator's tables. */
  readonly schema: string;
  private readonly historySize: number;
  private readonly closeTimeout: number;
  private readonly commandTimeout: number;
  private readonly connectionString: string | undefined;
  private readonly ownsPool: boolean;
  private pool: Pool | undefined;
  /** Drops the connections of the pool the coordinator opened (see close). */
  private dropConnections: (() => void) | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  /** History appends, written together (close waits for it, so no queued record is dropped). */
  private readonly history = new GroupCommit<ClusterRunRecord>(
    (records) => this.writeHistory(records),
    MAX_HISTORY_BATCH,
  );
  private readonly sql: PostgresQueries;

  constructor(options: PostgresCoordinatorOptions) {
    const { pool, connectionString, schema, historySize, closeTimeout, commandTimeout } =
      resolvePostgresOptions(options);
    this.pool = pool;
    this.connectionString = connectionString;
    this.ownsPool = pool === undefined;
    this.schema = schema;
    this.historySize = historySize;
    this.closeTimeout = closeTimeout;
    this.commandTimeout = commandTimeout;
    this.sql = postgresQueries(postgresTables(schema));
  }

  /** Opens the pool (when given a connection string) and runs the idempotent migration. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(postgresMessages.closed()));
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined; // a later connect() tries again
      throw error;
    });
    return this.connecting;
  }

  async claimTicks(
    claimerId: string,
    ticks: readonly TickClaim[],
    toleranceMs: number,
  ): Promise<ClaimOutcome[]> {
    if (ticks.length === 0) return [];
    const pool = await this.connected();
    const params = [
      ticks.map((tick) => tick.taskId),
      ticks.map((tick) => tick.scheduledAt),
      ticks.map((tick) => tick.version ?? 0),
      ticks.map((tick) => tick.maxLoopCount ?? null),
      ticks.map((tick) => (tick.inFlightTtlMs == null ? null : Math.ceil(tick.inFlightTtlMs))),
      claimerId,
      toleranceMs,
    ];
    const { rows } = await this.clock.measure(
      () => pool.query<ClaimRow>(this.sql.claim, params),
      (reply) => (reply.rows.length > 0 ? Number(reply.rows[0]!.now_ms) : null),
    );
    return rows.map(({ outcome, token }): ClaimOutcome => {
      if (outcome === 'won' && token !== null) return { won: true, fencingToken: +token };
      return { won: false, reason: outcome === 'won' ? 'taken' : outcome };
    });
  }

  async writeControl(taskId: string, change: ControlChange): Promise<ControlState> {
    const trigger = change.kind === 'setTrigger' ? JSON.stringify(change.trigger) : null;
    const { rows } = await (
      await this.connected()
    ).query<ControlRow>(this.sql.writeControl, [taskId, change.kind, trigger]);
    return controlState(rows[0])!;
  }

  async readControl(
    taskIds: readonly string[],
    renew?: { runs: readonly InFlightRun[]; ttlMs: number },
  ): Promise<SharedTaskState[]> {
    const runs = renew?.runs ?? [];
    if (taskIds.length === 0 && runs.length === 0) return [];
    const { rows } = await (
      await this.connected()
    ).query<ControlRow & StatsRow>(this.sql.readControl, [
      taskIds,
      runs.map((run) => run.taskId),
      runs.map((run) => run.fencingToken),
      Math.ceil(renew?.ttlMs ?? 0),
    ]);
    return rows.map((row) => ({ control: controlState(row), stats: runStats(row) }));
  }

  async claimRequest(
    instanceId: string,
    taskId: string,
    requestId: string,
    ttlMs: number,
  ): Promise<boolean> {
    const { rows } = await (
      await this.connected()
    ).query(this.sql.request, [instanceId, taskId, requestId, Math.ceil(ttlMs)]);
    return rows.length > 0;
  }

  async lastTicks(taskIds: readonly string[]): Promise<(number | null)[]> {
    if (taskIds.length === 0) return [];
    const { rows } = await (
      await this.connected()
    ).query<{ high_water: string | null }>(this.sql.last, [taskIds]);
    return rows.map(({ high_water }) => (high_water === null ? null : Number(high_water)));
  }

  async holdLeases(
    holderId: string,
    taskIds: readonly string[],
    ttlMs: number,
  ): Promise<LeaseOutcome[]> {
    if (taskIds.length === 0) return [];
    const { rows } = await (
      await this.connected()
    ).query<{ holder: string; epoch: string }>(this.sql.hold, [holderId, taskIds, ttlMs]);
    return rows.map(({ holder, epoch }): LeaseOutcome => {
      return holder === holderId ? { held: true, epoch: +epoch } : { held: false, holder };
    });
  }

  async releaseLeases(holderId: string, taskIds: readonly string[]): Promise<void> {
    if (taskIds.length === 0) return;
    await (await this.connected()).query(this.sql.release, [holderId, taskIds]);
  }

  /**
   * Appends a record. Records that come while a batch is being written wait and go together in
   * the next statement (a group commit), so appends keep up with many runs a second.
   */
  appendHistory(record: ClusterRunRecord): Promise<void> {
    return this.history.add(record);
  }

  private async writeHistory(records: ClusterRunRecord[]): Promise<void> {
    await (
      await this.connected()
    ).query(this.sql.append, [
      records.map((record) => record.taskId),
      records.map((record) => JSON.stringify(record)),
      records.map((record) => record.fencingToken ?? null),
      this.historySize,
    ]);
  }

  async listHistory(taskId: string, limit: number): Promise<ClusterRunRecord[]> {
    const { rows } = await (
      await this.connected()
    ).query<{ record: Record<string, unknown> }>(this.sql.list, [
      taskId,
      Math.max(0, Math.min(limit, this.historySize)),
    ]);
    return rows.map(({ record }) => reviveRunRecord(record));
  }

  /**
   * Writes the history queued, then ends the pool the coordinator opened (a pool passed in is left
   * open), within `closeTimeout` in all: past it the connections are dropped and close rejects,
   * saying what was abandoned.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + this.closeTimeout;
    const left = () => Math.max(0, deadline - Date.now());
    // Records handed over before close (the last runs' history) are written first.
    const flushed = await settlesWithin(this.history.flushed(), left());
    const unwritten = flushed ? 0 : this.history.unwritten;
    this.closed = true;
    if (this.connecting) await settlesWithin(this.connecting, left());
    let ended = true;
    if (this.ownsPool && this.pool) ended = await settlesWithin(this.pool.end(), left());
    if (!ended) this.dropConnections?.();
    if (!flushed || !ended) {
      throw new Error(postgresMessages.closeForced(this.closeTimeout, unwritten));
    }
  }

  async anchors(proposals: readonly AnchorProposal[]): Promise<number[]> {
    if (proposals.length === 0) return [];
    const { rows } = await (
      await this.connected()
    ).query<{ anchor_at: string }>(this.sql.anchors, [
      proposals.map((proposal) => proposal.taskId),
      proposals.map((proposal) => proposal.schedule),
      proposals.map((proposal) => proposal.proposedAt),
    ]);
    return rows.map(({ anchor_at }) => Number(anchor_at));
  }

  private async open(): Promise<void> {
    if (!this.pool) {
      const own = await createPool(this.connectionString as string, this.commandTimeout);
      this.pool = own.pool;
      this.dropConnections = own.drop;
    }
    // Not under commandTimeout: replicas starting together queue on the migration's locks, and
    // an upgrade builds an index over the history. pg reads a per-query timeout its types omit.
    const migration = { text: postgresMigration(this.schema), query_timeout: MIGRATION_TIMEOUT_MS };
    await this.pool.query(migration as { text: string });
  }

  /** The pool once the tables exist: a call made while connect() runs waits for it. */
  private async connected(): Promise<Pool> {
    if (this.closed) throw new Error(postgresMessages.closed());
    if (!this.connecting) throw new Error(postgresMessages.notConnected());
    await this.connecting;
    return this.pool as Pool;
  }
}

/** How long the migration may take at connect (ms). */
const MIGRATION_TIMEOUT_MS = 120_000;

/** A claim's answer for one tick; every row carries the database's clock (epoch ms, as text). */
interface ClaimRow {
  outcome: ClaimRefusal | 'won';
  token: string | null;
  now_ms: string;
}

/** A row of task_control as read (bigints as text); NULL columns: never changed. */
interface ControlRow {
  paused: boolean | null;
  version: string | null;
  trigger_version: string | null;
  trigger: ControlState['trigger'];
}

/** The totals columns of readControl (bigints as text); NULL before the task's first record. */
interface StatsRow {
  run_count: string | null;
  succeeded: string | null;
  failed: string | null;
  timed_out: string | null;
  skipped: string | null;
  missed: string | null;
  cancelled: string | null;
  last_run: Record<string, unknown> | null;
}

function runStats(row: StatsRow): ClusterRunStats | null {
  if (row.run_count === null) return null;
  const { succeeded, failed, skipped, missed, cancelled, last_run: last } = row;
  const fields = { runCount: row.run_count, timedOut: row.timed_out };
  const lastRun = last ? reviveRunRecord(last) : null;
  return runStatsFrom({ ...fields, succeeded, failed, skipped, missed, cancelled }, lastRun);
}

function controlState(row: ControlRow | undefined): ControlState | null {
  if (!row || row.version === null) return null;
  return {
    paused: row.paused,
    version: Number(row.version),
    triggerVersion: Number(row.trigger_version ?? 0),
    trigger: row.trigger ?? null,
  };
}
