import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CronExpression,
  CronJob,
  ScheduleModule,
  SchedulerRegistry,
} from '../../lib/schedule/index.js';
import {
  EveryKind,
  FeatureJobs,
  FeatureModule,
  SCHEDULE_SWITCHES,
  ScheduleConfig,
  ScheduleConfigModule,
} from './fixtures/module.fixtures.js';
import {
  T0,
  closeDraining,
  createFixtureApp,
  type ScheduleOptions,
} from './fixtures/schedule-app.js';

// ScheduleModule.forRoot / forRootAsync: the per-kind switches and the async forms, as in
// @nestjs/schedule 12 (every switch defaults to true; false means the kind is not registered).

let app: INestApplication | undefined;

async function startWith(imports: NonNullable<ModuleMetadata['imports']>) {
  const moduleRef = await Test.createTestingModule({ imports, providers: [EveryKind] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, registry: app.get(SchedulerRegistry), kinds: app.get(EveryKind) };
}

/** Which kinds of EveryKind are registered, and which ran within 1 s. */
async function kindsAt(registry: SchedulerRegistry, kinds: EveryKind) {
  await jest.advanceTimersByTimeAsync(1_000);
  return {
    registered: {
      cron: registry.doesExist('cron', 'kind-cron'),
      interval: registry.doesExist('interval', 'kind-interval'),
      timeout: registry.doesExist('timeout', 'kind-timeout'),
    },
    ran: {
      cron: kinds.cron.length > 0,
      interval: kinds.interval.length > 0,
      timeout: kinds.timeout.length > 0,
    },
  };
}

const allOn = { cron: true, interval: true, timeout: true };

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(async () => {
  if (app) await closeDraining(app);
  app = undefined;
  jest.useRealTimers();
});

describe('forRoot', () => {
  it('registers and runs every kind by default', async () => {
    const { registry, kinds } = await startWith([ScheduleModule.forRoot()]);
    expect(await kindsAt(registry, kinds)).toEqual({ registered: allOn, ran: allOn });
  });

  it.each<[ScheduleOptions, keyof typeof allOn]>([
    [{ cronJobs: false }, 'cron'],
    [{ intervals: false }, 'interval'],
    [{ timeouts: false }, 'timeout'],
  ])(
    '%j leaves that kind unregistered and never run, the others as usual',
    async (options, off) => {
      const { registry, kinds } = await startWith([ScheduleModule.forRoot(options)]);
      const expected = { ...allOn, [off]: false };
      expect(await kindsAt(registry, kinds)).toEqual({ registered: expected, ran: expected });
    },
  );

  it('with cronJobs: false, lists no cron job and still takes dynamic ones', async () => {
    const { registry } = await startWith([ScheduleModule.forRoot({ cronJobs: false })]);
    expect(registry.getCronJobs().size).toBe(0);
    let ticks = 0;
    registry.addCronJob(
      'dynamic',
      new CronJob(CronExpression.EVERY_SECOND, () => {
        ticks++;
      }),
    );
    registry.getCronJob('dynamic').start();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(ticks).toBe(2);
  });

  it('with intervals: false and timeouts: false, lists none of them', async () => {
    const { registry } = await startWith([
      ScheduleModule.forRoot({ intervals: false, timeouts: false }),
    ]);
    expect(registry.getIntervals()).toEqual([]);
    expect(registry.getTimeouts()).toEqual([]);
  });

  it('is global: a feature module that does not import it can inject SchedulerRegistry', async () => {
    const { app, registry } = await startWith([ScheduleModule.forRoot(), FeatureModule]);
    expect(app.get(FeatureJobs).schedulerRegistry).toBe(registry);
  });

  it('bootstraps beside value providers with a null prototype, null or undefined', async () => {
    app = await createFixtureApp([EveryKind], undefined, {
      providers: [
        { provide: 'NULL_PROTOTYPE', useValue: Object.create(null) },
        { provide: 'NULL_VALUE', useValue: null },
        { provide: 'UNDEFINED_FROM_FACTORY', useFactory: () => undefined },
      ],
    });
    await expect(app.init()).resolves.toBeDefined();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(app.get(EveryKind).cron).toEqual([1_000]);
  });
});

describe('forRootAsync', () => {
  it('useFactory: its switches apply', async () => {
    const { registry, kinds } = await startWith([
      ScheduleModule.forRootAsync({ useFactory: () => ({ cronJobs: false }) }),
    ]);
    const expected = { ...allOn, cron: false };
    expect(await kindsAt(registry, kinds)).toEqual({ registered: expected, ran: expected });
  });

  it('useFactory returning {}: every kind on by default', async () => {
    const { registry, kinds } = await startWith([
      ScheduleModule.forRootAsync({ useFactory: () => ({}) }),
    ]);
    expect(await kindsAt(registry, kinds)).toEqual({ registered: allOn, ran: allOn });
  });

  it('an async useFactory with imports and inject', async () => {
    const { registry, kinds } = await startWith([
      ScheduleModule.forRootAsync({
        imports: [ScheduleConfigModule.with({ intervals: false })],
        inject: [SCHEDULE_SWITCHES],
        useFactory: async (switches: ScheduleOptions) => {
          await Promise.resolve();
          return { ...switches };
        },
      }),
    ]);
    const expected = { ...allOn, interval: false };
    expect(await kindsAt(registry, kinds)).toEqual({ registered: expected, ran: expected });
  });

  it('useClass: the class is built in the module and its createScheduleOptions() applies', async () => {
    const { registry, kinds } = await startWith([
      ScheduleModule.forRootAsync({
        imports: [ScheduleConfigModule.with({ timeouts: false })],
        useClass: ScheduleConfig,
      }),
    ]);
    const expected = { ...allOn, timeout: false };
    expect(await kindsAt(registry, kinds)).toEqual({ registered: expected, ran: expected });
  });

  it('useExisting: the imported instance provides the options', async () => {
    const { registry, kinds } = await startWith([
      ScheduleModule.forRootAsync({
        imports: [ScheduleConfigModule.with({ cronJobs: false, timeouts: false })],
        useExisting: ScheduleConfig,
      }),
    ]);
    const expected = { cron: false, interval: true, timeout: false };
    expect(await kindsAt(registry, kinds)).toEqual({ registered: expected, ran: expected });
  });
});
