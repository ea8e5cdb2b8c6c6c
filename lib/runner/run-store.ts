import type { RunRecord } from './run-record.js';

/**
 * Where run history goes. The default keeps the last N records per task in memory; a database
 * store implements the same two methods to share history across replicas and restarts. To see
 * every run and keep the default history, extend InMemoryRunStore and call `super.add`.
 */
export interface RunStore {
  add(record: RunRecord): void | Promise<void>;
  /** Newest first, at most `limit` records. */
  list(taskId: string, limit: number): RunRecord[] | Promise<RunRecord[]>;
}

/** The last `capacity` records of one task: an array that grows up to capacity, then wraps. */
class RecordRing {
  private readonly records: RunRecord[] = [];
  /** Where the next record goes once the ring is full. */
  private next = 0;

  constructor(private readonly capacity: number) {}

  add(record: RunRecord): void {
    if (this.records.length < this.capacity) {
      this.records.push(record);
      return;
    }
    this.records[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  list(limit: number): RunRecord[] {
    const { records } = this;
    const newest = records.length < this.capacity ? records.length - 1 : this.next - 1;
    const count = Math.min(limit, records.length);
    const list: RunRecord[] = [];
    for (let i = 0; i < count; i++) {
      list.push(records[(newest - i + records.length) % records.length]);
    }
    return list;
  }
}

/** Records kept per task by a history that is not told otherwise. */
export const DEFAULT_HISTORY_SIZE = 100;

/** Keeps the last `capacity` records of each task in memory (default 100; 0 keeps none). */
export class InMemoryRunStore implements RunStore {
  private readonly histories = new Map<string, RecordRing>();

  constructor(private readonly capacity = DEFAULT_HISTORY_SIZE) {}

  add(record: RunRecord): void {
    if (this.capacity === 0) return;
    let ring = this.histories.get(record.taskId);
    if (!ring) this.histories.set(record.taskId, (ring = new RecordRing(this.capacity)));
    ring.add(record);
  }

  list(taskId: string, limit: number): RunRecord[] {
    return this.histories.get(taskId)?.list(limit) ?? [];
  }
}
