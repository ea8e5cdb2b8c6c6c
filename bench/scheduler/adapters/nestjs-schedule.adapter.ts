import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { noop, previousStartPlan, type SchedulerAdapter } from './scheduler-adapter.js';

@Module({ imports: [ScheduleModule.forRoot()] })
class NestScheduleBenchModule {}

/**
 * `@nestjs/schedule` as its docs add jobs at run time: `setInterval` + `addInterval` (what its
 * `@Interval` decorator does too), `new CronJob` from `cron` + `addCronJob` + `start()`.
 *
 * Its own plan for an interval fire: see `previousStartPlan`.
 */
export const nestScheduleAdapter: SchedulerAdapter = {
  async boot() {
    const app = await NestFactory.createApplicationContext(NestScheduleBenchModule, {
      logger: false,
    });
    const registry = app.get(SchedulerRegistry);
    return {
      addInterval(name, intervalMs, onRun) {
        const handler = onRun ? previousStartPlan(intervalMs, onRun) : noop;
        registry.addInterval(name, setInterval(handler, intervalMs));
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
