import 'reflect-metadata';
import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CronJob, SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { now } from '../clock.js';
import { noop, type SchedulerAdapter } from './scheduler-adapter.js';

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
 * and `CronJob` (a croner instance per job). Planned time of an interval fire: as for
 * `@nestjs/schedule`, the start of the previous fire + interval, which is in the peer's favour by
 * up to 1 ms.
 */
export const toadAdapter: SchedulerAdapter = {
  label: 'toad-scheduler',
  ours: false,
  async boot() {
    const app = await NestFactory.createApplicationContext(ToadBenchModule, { logger: false });
    const { scheduler } = app.get(ToadSchedulerHost);
    return {
      addInterval(name, intervalMs, onRun) {
        let handler: () => void = noop;
        if (onRun) {
          let plannedAt = now() + intervalMs;
          handler = () => {
            const startedAt = now();
            onRun(plannedAt);
            plannedAt = startedAt + intervalMs;
          };
        }
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
