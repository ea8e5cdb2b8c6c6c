import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Every, TaskRegistry, type TaskContext } from '../../../lib/index.js';
import { CronJob, ScheduleModule, SchedulerRegistry } from '../../../lib/schedule/index.js';
import { noop, type SchedulerAdapter } from './scheduler-adapter.js';

@Module({ imports: [ScheduleModule.forRoot({ aioclock: { logger: false } })] })
class CompatBenchModule {}

/**
 * Our `nestjs-aioclock/schedule` layer, driven as `@nestjs/schedule` code drives it: cron jobs as
 * `new CronJob(expr, onTick, null, true)` + `addCronJob`. Intervals are added the way the layer's
 * `@Interval` registers them (a fixed-rate `Every` whose runs may overlap), since the layer's own
 * `addInterval` takes a raw Node timer, which would measure Node rather than the layer.
 */
export const compatAdapter: SchedulerAdapter = {
  async boot() {
    const app = await NestFactory.createApplicationContext(CompatBenchModule, { logger: false });
    const registry = app.get(SchedulerRegistry);
    const tasks = app.get(TaskRegistry);
    return {
      addInterval(name, intervalMs, onRun) {
        tasks.addTask({
          name,
          trigger: new Every({ seconds: intervalMs / 1_000, anchor: 'start' }),
          handler: onRun
            ? (context: TaskContext) => void onRun(context.scheduledAt!.getTime())
            : noop,
          policies: { overlap: 'allow' },
        });
      },
      addCron(name, expression, onRun) {
        registry.addCronJob(name, new CronJob(expression, onRun, null, true));
      },
      close: () => app.close(),
    };
  },
};
