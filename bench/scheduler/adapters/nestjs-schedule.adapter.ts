import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { now } from '../clock.js';
import { noop, type SchedulerAdapter } from './scheduler-adapter.js';

@Module({ imports: [ScheduleModule.forRoot()] })
class NestScheduleBenchModule {}

/**
 * `@nestjs/schedule` as its docs add jobs at run time: `setInterval` + `addInterval` (what its
 * `@Interval` decorator does too), `new CronJob` from `cron` + `addCronJob` + `start()`.
 *
 * Planned time of an interval fire: the start of the previous fire + interval (registration time
 * + interval for the first). Node re-arms an interval from its loop clock, read in whole ms just
 * before the callback, so its own plan can be up to 1 ms earlier than ours: this definition
 * under-counts the peer's lateness by up to 1 ms, in its favour.
 */
export const nestScheduleAdapter: SchedulerAdapter = {
  label: '@nestjs/schedule',
  ours: false,
  async boot() {
    const app = await NestFactory.createApplicationContext(NestScheduleBenchModule, {
      logger: false,
    });
    const registry = app.get(SchedulerRegistry);
    return {
      addInterval(name, intervalMs, onRun) {
        if (!onRun) {
          registry.addInterval(name, setInterval(noop, intervalMs));
          return;
        }
        let plannedAt = now() + intervalMs;
        const interval = setInterval(() => {
          const startedAt = now();
          onRun(plannedAt);
          plannedAt = startedAt + intervalMs;
        }, intervalMs);
        registry.addInterval(name, interval);
      },
      addCron(name, expression, onRun) {
        const job = new CronJob(expression, onRun);
        registry.addCronJob(name, job);
        job.start();
      },
      close: () => app.close(),
    };
  },
};
