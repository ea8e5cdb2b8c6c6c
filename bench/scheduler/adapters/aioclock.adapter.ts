import 'reflect-metadata';
import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AioClockModule, Cron, Every, TaskRegistry, type TaskContext } from '../../../lib/index.js';
import type { ObserveMode } from '../observability.js';
import { noop, type SchedulerAdapter } from './scheduler-adapter.js';

/** The app's module: ours alone, or with the integrations of an observability mode. */
async function benchModule(observe: ObserveMode): Promise<Type> {
  if (observe === 'off') {
    @Module({ imports: [AioClockModule.forRoot({ logger: false })] })
    class AioClockBenchModule {}
    return AioClockBenchModule;
  }
  // Loaded only here, so that the plain columns hold none of prom-client's or OpenTelemetry's code.
  const { setUpObservability } = await import('../observability.js');
  const { imports, runHook } = setUpObservability(observe);
  @Module({ imports: [AioClockModule.forRoot({ logger: false, runHook }), ...imports] })
  class AioClockObservedModule {}
  return AioClockObservedModule;
}

/**
 * Our module with default options (history of 100 runs per task included), tasks added through
 * `TaskRegistry.addTask` after bootstrap. Planned time = `context.scheduledAt`, the fire time the
 * scheduler itself planned: the end of the previous run + interval for anchor 'end' (fixed delay,
 * the default, like aioclock), the first fire + k * interval for anchor 'start' (fixed rate).
 */
export function aioClockAdapter(
  anchor: 'end' | 'start',
  observe: ObserveMode = 'off',
): SchedulerAdapter {
  return {
    async boot() {
      const app = await NestFactory.createApplicationContext(await benchModule(observe), {
        logger: false,
      });
      const registry = app.get(TaskRegistry);
      let ran = 0;
      const countRun = () => void ran++;
      return {
        addInterval(name, intervalMs, onRun) {
          const seconds = intervalMs / 1_000;
          const trigger =
            anchor === 'end' ? new Every({ seconds }) : new Every({ seconds, anchor });
          const handler = onRun
            ? (context: TaskContext) => void onRun(context.scheduledAt!.getTime())
            : noop;
          registry.addTask({ name, trigger, handler });
        },
        addCron(name, expression, onRun) {
          registry.addTask({ name, trigger: new Cron(expression), handler: onRun });
        },
        addRanOnce(name, intervalMs) {
          const trigger = new Every({ seconds: intervalMs / 1_000, firstRunStrategy: 'immediate' });
          registry.addTask({ name, trigger, handler: countRun });
        },
        async whenRanOnce(count) {
          while (ran < count) await new Promise((resolve) => setTimeout(resolve, 10));
          // Let the last runs' bookkeeping (history, counters) finish.
          await new Promise((resolve) => setTimeout(resolve, 50));
        },
        close: () => app.close(),
      };
    },
  };
}
