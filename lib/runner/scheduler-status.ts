import type { ClusterLink, ClusterStatus } from './cluster-link.js';
import type { TaskCatalog } from './task-catalog.js';
import { listOverdue, type OverdueTask } from './task-health.js';

/** Where a scheduler is in its life. */
export type SchedulerState = 'created' | 'running' | 'stopping' | 'stopped';

/** What `registry.status()` returns. */
export interface SchedulerStatus {
  state: SchedulerState;
  tasks: number;
  runsInFlight: number;
  /** Null without a cluster. */
  cluster: ClusterStatus | null;
  /**
   * Critical tasks that have not succeeded in time, while the scheduler runs. In a cluster each
   * replica judges the runs it makes: a tick another replica won, or a task whose lease another
   * replica holds, is not judged here.
   */
  overdue: OverdueTask[];
}

/** What a scheduler's status is read from. */
export interface StatusSources {
  state: SchedulerState;
  catalog: TaskCatalog;
  runsInFlight: number;
  /** Cluster mode, or null for one process. */
  link: ClusterLink | null;
}

/** The scheduler's status now, with the cluster store's as this replica sees it. */
export function readStatus({ state, catalog, runsInFlight, link }: StatusSources): SchedulerStatus {
  return {
    state,
    tasks: catalog.size,
    runsInFlight,
    cluster: link?.status() ?? null,
    overdue:
      state === 'running'
        ? listOverdue(catalog.values(), Date.now(), (task) => link?.waitsForLease(task))
        : [],
  };
}
