import type { RunRecord, RunStatus } from './run-record.js';

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
    counters: { succeeded: 0, failed: 0, timedOut: 0, skipped: 0, missed: 0, cancelled: 0 },
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

/**
 * What a replica shows: the store's totals as of its last sync, or its own counts where they are
 * higher. A replica's own runs are a subset of the cluster's, so the larger number is never a
 * double count; a run recorded here since the last sync shows in `lastRun` at once (the newer of
 * the two by `finishedAt`) and in the totals at the next sync. Without a cluster `shared` is null
 * and the local numbers show as they are.
 */
export function mergeRunStats(
  local: {
    runCount: number;
    counters: Record<RunStatus, number>;
    lastRun: RunRecord | null;
  } | null,
  shared: ClusterRunStats | null,
): ClusterRunStats | null {
  if (shared === null) return local && { ...local, counters: { ...local.counters } };
  if (local === null) return { ...shared, counters: { ...shared.counters } };
  const counters = { ...shared.counters };
  for (const status of RUN_STATUSES) {
    counters[status] = Math.max(counters[status], local.counters[status]);
  }
  const newer =
    local.lastRun !== null &&
    (shared.lastRun === null ||
      local.lastRun.finishedAt.getTime() > shared.lastRun.finishedAt.getTime());
  return {
    runCount: Math.max(shared.runCount, local.runCount),
    counters,
    lastRun: newer ? local.lastRun : shared.lastRun,
  };
}
