import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TaskRegistry, TaskScheduler, type TaskContext } from '../../../lib/index.js';
import { CronJob, ScheduleModule, SchedulerRegistry } from '../../../lib/schedule/index.js';
import { NodeTimerTrigger } from '../../../lib/schedule/node-timer.trigger.js';
import { noop, type SchedulerAdapter } from './scheduler-adapter.js';

@Module({ imports: [ScheduleModule.forRoot({ aioclock: { logger: false } })] })
class CompatBenchModule {}

/**
 * Our `nestjs-aioclock/schedule` layer, driven as `@nestjs/schedule` code drives it: cron jobs as
 * `new CronJob(expr, onTick, null, true)` + `addCronJob`. Intervals are added the way the layer's
 * `@Interval` registers them (a task ticked by a Node `setInterval` kept in the registry), since
 * the layer's own `addInterval` takes a raw Node timer, which would measure Node alone. Its plan
 * for a tick is the tick's own time (`context.scheduledAt`), so own-plan delay hides the timer's
 * drift; lateness against the schedule shows it.
 */
export const compatAdapter: SchedulerAdapter = {
  async boot() {
    const app = await NestFactory.createApplicationContext(CompatBenchModule, { logger: false });
    const registry = app.get(SchedulerRegistry);
    const tasks = app.get(TaskRegistry);
    const scheduler = app.get(TaskScheduler);
    return {
      addInterval(name, intervalMs, onRun) {
        tasks.addTask({
          name,
          trigger: new NodeTimerTrigger('interval', intervalMs),
          handler: onRun
            ? (context: TaskContext) => void onRun(context.scheduledAt!.getTime())
            : noop,
          policies: { overlap: 'allow' },
        });
        const task = scheduler.get(name);
        registry.addInterval(
          name,
          setInterval(() => scheduler.fireExternally(task), intervalMs),
        );
      },
      addCron(name, expression, onRun) {
        registry.addCronJob(name, new CronJob(expression, onRun, null, true));
      },
      close: () => app.close(),
    };
  },
};
