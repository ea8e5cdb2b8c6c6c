import {
  recordOf,
  type RunFields,
  type RunOrigin,
  type RunRecord,
  type RunStatus,
} from './run-record.js';

/**
 * Where run history goes. The default keeps the last N records per task in memory; a database
 * store can implement the same interface to share history across replicas and restarts.
 */
export interface RunStore {
  add(record: RunRecord): void | Promise<void>;
  /** Newest first, at most `limit` records. */
  list(taskId: string, limit: number): RunRecord[] | Promise<RunRecord[]>;
}

/**
 * A store that takes a run's fields without a record object. The scheduler uses it when the store
 * offers it (the in-memory default does), so a run costs no record, Date or id string unless read.
 */
export interface RunFieldStore extends RunStore {
  addFields(taskId: string, taskName: string, fields: RunFields): void;
}

const STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'timedOut',
  'skipped',
  'missed',
  'cancelled',
];
const ORIGINS: readonly RunOrigin[] = ['schedule', 'manual', 'startup', 'shutdown'];

/**
 * The last `capacity` records of one task, in columns: times and codes in typed arrays, strings in
 * plain arrays. A thousand tasks with 100 records each then cost no per-record objects or Dates,
 * which kept the old generation growing and its collections pausing the scheduler.
 */
class TaskHistory {
  private readonly times: Float64Array;
  private readonly codes: Uint8Array;
  private readonly attempts: Uint32Array;
  /** Run numbers, turned into ids on read; or, for records added whole, their own id. */
  private readonly runSeqs: Float64Array;
  private readonly runIds: (string | undefined)[] = [];
  private readonly errors: RunRecord['error'][] = [];
  private readonly results: (string | null)[] = [];
  private next = 0;
  private size = 0;

  constructor(
    private readonly capacity: number,
    private readonly taskId: string,
    private readonly taskName: string,
  ) {
    this.times = new Float64Array(capacity * 3);
    this.codes = new Uint8Array(capacity);
    this.attempts = new Uint32Array(capacity);
    this.runSeqs = new Float64Array(capacity);
  }

  add(fields: RunFields, runId?: string): void {
    const slot = this.next;
    this.times[slot * 3] = fields.scheduledAtMs;
    this.times[slot * 3 + 1] = fields.startedAtMs;
    this.times[slot * 3 + 2] = fields.finishedAtMs;
    this.codes[slot] = STATUSES.indexOf(fields.status) | (ORIGINS.indexOf(fields.origin) << 3);
    this.attempts[slot] = fields.attempt;
    this.runSeqs[slot] = fields.runSeq;
    this.runIds[slot] = runId;
    this.errors[slot] = fields.error;
    this.results[slot] = fields.result;
    this.next = (slot + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Newest first. */
  list(limit: number): RunRecord[] {
    const count = Math.min(limit, this.size);
    const records: RunRecord[] = [];
    for (let i = 1; i <= count; i++) {
      const slot = (this.next - i + this.capacity) % this.capacity;
      records.push(this.read(slot));
    }
    return records;
  }

  private read(slot: number): RunRecord {
    const code = this.codes[slot];
    const fields: RunFields = {
      runSeq: this.runSeqs[slot],
      origin: ORIGINS[code >> 3],
      scheduledAtMs: this.times[slot * 3],
      startedAtMs: this.times[slot * 3 + 1],
      finishedAtMs: this.times[slot * 3 + 2],
      status: STATUSES[code & 7],
      attempt: this.attempts[slot],
      error: this.errors[slot],
      result: this.results[slot],
    };
    return recordOf(this.taskId, this.taskName, fields, this.runIds[slot]);
  }
}

/** Keeps the last `capacity` records of each task in memory (a ring buffer per task). */
export class InMemoryRunStore implements RunFieldStore {
  private readonly histories = new Map<string, TaskHistory>();

  constructor(private readonly capacity = 100) {}

  add(record: RunRecord): void {
    if (this.capacity === 0) return;
    const ms = (date: Date | null) => (date === null ? -1 : date.getTime());
    const fields: RunFields = {
      runSeq: 0,
      origin: record.origin,
      scheduledAtMs: ms(record.scheduledAt),
      startedAtMs: ms(record.startedAt),
      finishedAtMs: record.finishedAt.getTime(),
      status: record.status,
      attempt: record.attempt,
      error: record.error,
      result: record.result,
    };
    this.history(record.taskId, record.taskName)?.add(fields, record.runId);
  }

  addFields(taskId: string, taskName: string, fields: RunFields): void {
    // A subclass that overrides add() expects to see every run there, so it gets a record.
    if (this.add !== InMemoryRunStore.prototype.add) {
      this.add(recordOf(taskId, taskName, fields));
      return;
    }
    this.history(taskId, taskName)?.add(fields);
  }

  private history(taskId: string, taskName: string): TaskHistory | null {
    if (this.capacity === 0) return null;
    let history = this.histories.get(taskId);
    if (!history) {
      history = new TaskHistory(this.capacity, taskId, taskName);
      this.histories.set(taskId, history);
    }
    return history;
  }

  list(taskId: string, limit: number): RunRecord[] {
    return this.histories.get(taskId)?.list(limit) ?? [];
  }
}
