import type { RunRecord } from './run-record.js';

/**
 * Where run history goes. The default keeps the last N records per task in memory; a database
 * store can implement the same interface to share history across replicas and restarts.
 */
export interface RunStore {
  add(record: RunRecord): void | Promise<void>;
  /** Newest first, at most `limit` records. */
  list(taskId: string, limit: number): RunRecord[] | Promise<RunRecord[]>;
}

/** Keeps the last `capacity` records of each task in a ring buffer. */
export class InMemoryRunStore implements RunStore {
  private readonly buffers = new Map<string, { records: RunRecord[]; next: number }>();

  constructor(private readonly capacity = 100) {}

  add(record: RunRecord): void {
    if (this.capacity === 0) return;
    let buffer = this.buffers.get(record.taskId);
    if (!buffer) {
      buffer = { records: [], next: 0 };
      this.buffers.set(record.taskId, buffer);
    }
    if (buffer.records.length < this.capacity) {
      buffer.records.push(record);
    } else {
      buffer.records[buffer.next] = record;
      buffer.next = (buffer.next + 1) % this.capacity;
    }
  }

  list(taskId: string, limit: number): RunRecord[] {
    const buffer = this.buffers.get(taskId);
    if (!buffer) return [];
    const { records, next } = buffer;
    const ordered =
      records.length < this.capacity
        ? records
        : [...records.slice(next), ...records.slice(0, next)];
    return ordered.slice(-limit).reverse();
  }
}
