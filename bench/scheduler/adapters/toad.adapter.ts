import 'reflect-metadata';
import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CronJob, SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { noop, previousStartPlan, type SchedulerAdapter } from './scheduler-adapter.js';

/** toad-scheduler has no Nest module: users hold one scheduler in a provider and stop it. */
@Injectable()
class ToadSchedulerHost implements OnApplicationShutdown {
  readonly scheduler = new ToadScheduler();

  onApplicationShutdown(): void {
    this.scheduler.stop();
  }
}

@Module({ providers: [ToadSchedulerHost] })
class ToadBenchModule {}

/**
 * toad-scheduler 4 in a Nest application context: `SimpleIntervalJob` (a `setInterval` per job)
 * and `CronJob` (a croner instance per job). Its own plan for an interval fire: see
 * `previousStartPlan`.
 */
export const toadAdapter: SchedulerAdapter = {
  async boot() {
    const app = await NestFactory.createApplicationContext(ToadBenchModule, { logger: false });
    const { scheduler } = app.get(ToadSchedulerHost);
    return {
      addInterval(name, intervalMs, onRun) {
        const handler = onRun ? previousStartPlan(intervalMs, onRun) : noop;
        const job = new SimpleIntervalJob({ milliseconds: intervalMs }, new Task(name, handler), {
          id: name,
        });
        scheduler.addSimpleIntervalJob(job);
      },
      addCron(name, expression, onRun) {
        const job = new CronJob({ cronExpression: expression }, new Task(name, onRun), {
          id: name,
        });
        scheduler.addCronJob(job);
      },
      close: () => app.close(),
    };
  },
};
