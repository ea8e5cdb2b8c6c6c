import type { Coordinator } from './coordinator.js';
import type { RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';

/** In cluster mode, history goes to the coordinator's store, stamped with this replica's id. */
export class CoordinatorRunStore implements RunStore {
  constructor(
    private readonly coordinator: Coordinator,
    private readonly instanceId: string,
  ) {}

  add(record: RunRecord): Promise<void> {
    return this.coordinator.appendHistory({
      ...record,
      instanceId: record.instanceId ?? this.instanceId,
      fencingToken: record.fencingToken ?? null,
    });
  }

  list(taskId: string, limit: number): Promise<RunRecord[]> {
    return this.coordinator.listHistory(taskId, limit);
  }
}
