import { describe, it, expect } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  Every,
  Forever,
  OnShutDown,
  Task,
  TaskRegistry,
  type TaskContext,
} from '../../lib/index.js';
import { createApp, sleep } from '../fixtures/testing-module.js';

// These few tests use the real clock to prove the wiring; they assert orderings and counts with
// generous margins, never tight wall-clock bounds.

describe('real time', () => {
  it('a Forever task does not starve an Every task or the event loop', async () => {
    @Injectable()
    class Busy {
      spins = 0;
      ticks = 0;
      @Task(new Forever())
      spin() {
        // Synchronous and CPU-bound: only the runner's yield between runs lets others in.
        const until = Date.now() + 2;
        while (Date.now() < until) this.spins++;
      }
      @Task(new Every({ seconds: 0.05 }))
      tick() {
        this.ticks++;
      }
    }
    const { app } = await createApp([Busy]);
    let timerFired = false;
    setTimeout(() => (timerFired = true), 10);
    await sleep(1_000);
    const busy = app.get(Busy);
    expect(timerFired).toBe(true);
    expect(busy.ticks).toBeGreaterThanOrEqual(3);
    expect(app.get(TaskRegistry).getTask('Busy.spin').runCount).toBeGreaterThan(20);
    await app.close();
  });

  it('shutdown waits for a running run, then runs shutdown tasks, and leaves no timer behind', async () => {
    const order: string[] = [];
    @Injectable()
    class Worker {
      @Task(new Every({ seconds: 0.05, maxLoopCount: 1 }))
      async work({ signal }: TaskContext) {
        order.push('work started');
        await sleep(300);
        order.push(signal.aborted ? 'work aborted' : 'work finished');
      }
      @Task(new OnShutDown())
      bye() {
        order.push('shutdown task');
      }
    }
    const { app } = await createApp([Worker]);
    while (!order.includes('work started')) await sleep(10);
    await app.close();
    expect(order).toEqual(['work started', 'work finished', 'shutdown task']);
    expect(app.get(TaskRegistry).isIdle()).toBe(true);
  });
});
