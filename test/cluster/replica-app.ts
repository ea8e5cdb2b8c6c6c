import { Test, type TestingModule } from '@nestjs/testing';
import { AioClockModule, type ClusterOptions } from '../../lib/index.js';

/**
 * One replica in this process: a testing module with AioClockModule in cluster mode (zone UTC,
 * quiet), whose provider is told its replica's name before init.
 */
export async function replica(
  name: string,
  provider: new () => { replica: string },
  cluster: Omit<ClusterOptions, 'instanceId'>,
): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [
      AioClockModule.forRoot({
        logger: false,
        timeZone: 'UTC',
        cluster: { ...cluster, instanceId: name },
      }),
    ],
    providers: [provider],
  }).compile();
  app.get(provider).replica = name;
  await app.init();
  return app;
}
