import { describe, it, expect, jest, afterEach } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Every, Task, TaskRegistry, type TaskContext } from '../../lib/index.js';
import { createApp } from '../fixtures/testing-module.js';

@Injectable()
class Poller {
  calls: (Date | null)[] = [];
  @Task(new Every({ seconds: 5 }))
  poll(context: TaskContext) {
    this.calls.push(context.scheduledAt);
  }
}

describe('smoke', () => {
  afterEach(() => {
    jest.useRealTimers();
  });
  it('runs an Every task under fake timers', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { app } = await createApp([Poller]);
    const poller = app.get(Poller);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(poller.calls.map((d) => d?.toISOString())).toEqual([
      '2026-01-01T00:00:05.000Z',
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:15.000Z',
    ]);
    expect(app.get(TaskRegistry).getTasks()[0].name).toBe('Poller.poll');
    await app.close();
  });
});
