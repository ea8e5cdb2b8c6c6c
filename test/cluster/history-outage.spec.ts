import { describe, it, expect, jest } from '@jest/globals';
import { Cron, InMemoryCoordinator } from '../../lib/index.js';
import { messages } from '../../lib/errors.js';
import { bareReplica, StoreDown } from './replicas.js';
import { RecordingLogger } from '../fixtures/testing-module.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

// A run whose history record meets a store outage is written once the store answers: the
// shared history never misses a run that happened.

const T0 = new Date('2026-01-01T00:00:00.500Z').getTime();
useFakeClock(T0);

function replica(coordinator: InMemoryCoordinator, logger: RecordingLogger) {
  const scheduler = bareReplica(coordinator, 'a', { logger });
  scheduler.register({ name: 'tick', trigger: new Cron('* * * * * *'), handler: () => {} });
  return scheduler;
}

describe('history written during a store outage', () => {
  it('is kept and written, in order and once, when the store answers again', async () => {
    // History appends fail while down; claims keep working, as in a short blip.
    const coordinator = new StoreDown('appendHistory');
    const logger = new RecordingLogger();
    const scheduler = replica(coordinator, logger);
    await scheduler.start();
    await jest.advanceTimersByTimeAsync(1_000); // the tick at 1 s runs and is written
    coordinator.down = true;
    await jest.advanceTimersByTimeAsync(3_000); // 2 s, 3 s, 4 s run; their records fail
    coordinator.down = false;
    await jest.advanceTimersByTimeAsync(5_000); // written again within the backoff
    const history = await scheduler.history('tick', 100);
    const ticks = history.map((record) => record.scheduledAt!.getTime() - T0 + 500).reverse();
    expect(ticks).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000]);
    const errors = logger.errors.map((error) => error.message);
    expect(errors.filter((line) => line.startsWith(messages.historyNotWritten('')))).toHaveLength(
      1,
    );
    expect(logger.logs).toContain(messages.historyWrittenAgain());
    await scheduler.shutdown();
  });

  it('says how many records it could not write when it stops with the store still down', async () => {
    const coordinator = new StoreDown('appendHistory');
    const logger = new RecordingLogger();
    const scheduler = replica(coordinator, logger);
    await scheduler.start();
    coordinator.down = true;
    await jest.advanceTimersByTimeAsync(2_000);
    await scheduler.shutdown();
    expect(logger.errors.map((error) => error.message)).toContain(
      messages.historyLost(2, 'the scheduler stopped'),
    );
  });
});
