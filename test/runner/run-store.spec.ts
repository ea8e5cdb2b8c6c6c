import { describe, it, expect } from '@jest/globals';
import { InMemoryRunStore, type RunRecord } from '../../lib/index.js';

function record(n: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: `run-${n}`,
    taskId: 'task-1',
    taskName: 'billing.charge',
    origin: 'schedule',
    scheduledAt: new Date(1_000 * n),
    startedAt: new Date(1_000 * n + 5),
    finishedAt: new Date(1_000 * n + 9),
    status: 'succeeded',
    attempt: 1,
    error: null,
    result: `{"n":${n}}`,
    ...overrides,
  };
}

describe('InMemoryRunStore', () => {
  it('keeps the last N records per task, newest first, with every field intact', () => {
    const store = new InMemoryRunStore(3);
    for (let n = 1; n <= 5; n++) store.add(record(n));
    const failed = record(6, {
      origin: 'manual',
      scheduledAt: null,
      status: 'failed',
      attempt: 2,
      error: { name: 'Error', message: 'boom', stack: 'Error: boom' },
      result: null,
    });
    store.add(failed);
    expect(store.list('task-1', 10)).toEqual([failed, record(5), record(4)]);
    expect(store.list('task-1', 1)).toEqual([failed]);
    expect(store.list('other', 10)).toEqual([]);
  });

  it('records skipped and missed fire times without start time', () => {
    const store = new InMemoryRunStore(5);
    const missed = record(1, { status: 'missed', startedAt: null, result: null });
    store.add(missed);
    expect(store.list('task-1', 5)).toEqual([missed]);
  });

  it('keeps nothing with capacity 0', () => {
    const store = new InMemoryRunStore(0);
    store.add(record(1));
    expect(store.list('task-1', 5)).toEqual([]);
  });
});
