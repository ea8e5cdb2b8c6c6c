import type { RunRecord, RunStatus } from './run-record.js';
import { noRuns, type TaskStats } from './scheduled-task.js';

/** The outcomes a history record can have, in the order counters list them. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'timedOut',
  'skipped',
  'missed',
  'cancelled',
];

/**
 * A task's run totals in the cluster's store, counted as each history record is appended (so they
 * outlive the capped history, restarts and replicas): the same numbers `TaskMetadata` shows.
 */
export interface ClusterRunStats {
  /** Records of attempts that started (`startedAt` set): the cluster's `runCount`. */
  runCount: number;
  /** Records per outcome. */
  counters: Record<RunStatus, number>;
  /** The record appended last. */
  lastRun: RunRecord | null;
}

/** Zero of everything. */
export function emptyRunStats(): ClusterRunStats {
  return {
    runCount: 0,
    counters: noRuns(),
    lastRun: null,
  };
}

/** Counts one appended record into `stats` (the in-memory store's way; the others do it in SQL/Lua). */
export function countRecord(stats: ClusterRunStats, record: RunRecord): void {
  if (record.startedAt !== null) stats.runCount++;
  if (record.status in stats.counters) stats.counters[record.status]++;
  stats.lastRun = record;
}

/**
 * Builds totals from a store's columns or hash fields (numbers or numeric strings; missing: 0).
 * Null when the store has no row for the task.
 */
export function runStatsFrom(
  fields: Partial<Record<RunStatus | 'runCount', string | number | null>> | null,
  lastRun: RunRecord | null,
): ClusterRunStats | null {
  if (fields === null) return null;
  const stats = emptyRunStats();
  stats.runCount = Number(fields.runCount ?? 0) || 0;
  for (const status of RUN_STATUSES) stats.counters[status] = Number(fields[status] ?? 0) || 0;
  stats.lastRun = lastRun;
  return stats;
}

/** Counts a replica keeps of its own runs. */
export type LocalRunStats = Pick<TaskStats, 'runCount' | 'counters' | 'lastRun'>;

/** A task's totals as the last sync read them, and this replica's own counters at that moment. */
export interface SyncedRunStats {
  store: ClusterRunStats;
  /** What this replica had counted when the read answered: only what it counts after is added. */
  localAtRead: Record<RunStatus, number>;
}

/** Keeps a sync's answer for a task (null: nothing recorded in the store yet). */
export function syncedRunStats(
  store: ClusterRunStats | null,
  local: LocalRunStats | null,
): SyncedRunStats {
  return {
    store: store ?? emptyRunStats(),
    localAtRead: { ...(local?.counters ?? noRuns()) },
  };
}

/** Records of attempts that started: every outcome but skipped and missed. */
function started(counters: Record<RunStatus, number>): number {
  return counters.succeeded + counters.failed + counters.timedOut + counters.cancelled;
}

/**
 * What a replica shows in a cluster: the store's totals as of its last sync plus what it recorded
 * itself since, so its own runs show at once and the other replicas' at the next sync. The
 * snapshot of its own counters is taken when the read answers: a record that reaches the store
 * while the read is on its way is then missing for one interval at worst, never counted twice.
 * Its own counts are a floor (they are a part of the cluster's), which keeps `runCount` counting a
 * run from its start as without a cluster. `lastRun` is the newer of the store's and its own.
 * Without a cluster `synced` is null and the local numbers show as they are.
 */
export function mergeRunStats(
  local: LocalRunStats | null,
  synced: SyncedRunStats | null,
): ClusterRunStats | null {
  if (synced === null) return local && { ...local, counters: { ...local.counters } };
  const { store, localAtRead } = synced;
  const own = local?.counters ?? noRuns();
  const counters = { ...store.counters };
  for (const status of RUN_STATUSES) {
    counters[status] = Math.max(
      own[status],
      store.counters[status] + own[status] - localAtRead[status],
    );
  }
  const runCount = Math.max(
    local?.runCount ?? 0,
    store.runCount + started(own) - started(localAtRead),
  );
  const mine = local?.lastRun ?? null;
  const newer =
    mine !== null &&
    (store.lastRun === null || mine.finishedAt.getTime() > store.lastRun.finishedAt.getTime());
  return { runCount, counters, lastRun: newer ? mine : store.lastRun };
}
