import { describe, expect, it, jest } from '@jest/globals';
import { Every } from '../../lib/index.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { SchedulerEventHub, type SchedulerEvent } from '../../lib/runner/scheduler-events.js';
import { closeUnderFakeTimers, RecordingLogger } from '../fixtures/testing-module.js';
import { useFakeClock } from '../fixtures/fake-clock.js';

// eventsOf(types): a listener of chosen types gets only those, and events nobody wants are not
// built; events$ keeps giving every event.
useFakeClock();

async function started(): Promise<TaskScheduler> {
  const scheduler = new TaskScheduler({ logger: new RecordingLogger() });
  scheduler.register({ name: 'tick', trigger: new Every({ seconds: 1 }), handler: () => {} });
  await scheduler.start();
  return scheduler;
}

describe('scheduler events by type', () => {
  it('eventsOf gives only the chosen types, with the run record and its finish time', async () => {
    const scheduler = await started();
    const chosen: SchedulerEvent[] = [];
    const subscription = scheduler.eventsOf(['succeeded']).subscribe((e) => chosen.push(e));
    await jest.advanceTimersByTimeAsync(3_000);
    expect(chosen.map((e) => e.type)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const [first] = chosen;
    expect(first!.type === 'succeeded' && first!.at).toEqual(
      first!.type === 'succeeded' && first!.record.finishedAt,
    );
    subscription.unsubscribe();
    await closeUnderFakeTimers({ close: () => scheduler.shutdown() });
  });

  it('events$ still gives every type while a typed listener is subscribed, and after it leaves', async () => {
    const scheduler = await started();
    const typed = scheduler.eventsOf(['succeeded']).subscribe(() => {});
    const all: string[] = [];
    const subscription = scheduler.events$.subscribe((e) => all.push(e.type));
    await jest.advanceTimersByTimeAsync(1_000);
    typed.unsubscribe();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(all).toEqual(['started', 'succeeded', 'scheduled', 'started', 'succeeded', 'scheduled']);
    subscription.unsubscribe();
    await closeUnderFakeTimers({ close: () => scheduler.shutdown() });
  });

  it('tells emitters which types someone wants, as listeners come and go', () => {
    const hub = new SchedulerEventHub();
    const failures = hub.eventsOf(['failed']).subscribe(() => {});
    expect([hub.wants('failed'), hub.wants('scheduled'), hub.wants('started')]).toEqual([
      true,
      false,
      false,
    ]);
    const all = hub.events$.subscribe(() => {});
    expect(hub.wants('scheduled')).toBe(true);
    all.unsubscribe();
    failures.unsubscribe();
    expect([hub.wants('failed'), hub.wants('scheduled')]).toEqual([false, false]);
  });
});
