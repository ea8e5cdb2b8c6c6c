import {
  Injectable,
  Module,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import {
  AioClockModule,
  Cron,
  Every,
  InMemoryCoordinator,
  Task,
  TaskGroup,
  TaskSupervisor,
} from '../../lib/index.js';
import { sleep } from '../fixtures/testing-module.js';
import { AioClockDashboardModule, type DashboardOptions } from '../../lib/dashboard/index.js';

/** The token the test guard wants, in the query (`?token=`) as the page forwards it. */
export const TOKEN = 'let-me-in';

/** Lets a request in when its query carries the token; 401 otherwise. */
@Injectable()
export class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ query: Record<string, unknown> }>();
    if (request.query.token !== TOKEN) throw new UnauthorizedException('token required');
    return true;
  }
}

/** The replica id the app runs as (cluster mode on an in-memory store). */
export const INSTANCE_ID = 'replica-a';

@TaskGroup('prices')
@Injectable()
class PriceTasks {
  polls = 0;

  constructor(private readonly supervisor: TaskSupervisor) {}

  /** Each poll also hands a short background job to the supervisor. */
  @Task(new Every({ seconds: 1 }), { name: 'poll' })
  poll() {
    this.supervisor.submit(() => sleep(200), { name: 'crunch', priority: 'high' });
    return ++this.polls;
  }
}

@Injectable()
class ReportTasks {
  @Task(new Cron('0 3 * * *', { tz: 'Europe/Berlin' }), { name: 'nightly-report' })
  nightly() {
    return 'report sent';
  }

  @Task(new Every({ minutes: 10 }), { name: 'flaky' })
  flaky() {
    throw new Error('upstream said no');
  }
}

/** An app with a few tasks and the dashboard, listening on a free port. */
export async function startDashboardApp(
  dashboard: DashboardOptions = { guard: TokenGuard },
): Promise<{ app: INestApplication; baseUrl: string }> {
  @Module({
    imports: [
      AioClockModule.forRoot({
        logger: false,
        cluster: { coordinator: new InMemoryCoordinator(), instanceId: INSTANCE_ID },
      }),
      AioClockDashboardModule.forRoot(dashboard),
    ],
    providers: [PriceTasks, ReportTasks],
  })
  class DashboardTestModule {}

  const app = await NestFactory.create(DashboardTestModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}
