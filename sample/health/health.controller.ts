import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { AioClockHealthIndicator } from '../../lib/terminus/index.js';

/** GET /health in terminus' format: 200 while the scheduler is healthy, 503 with reasons when not. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly aioclock: AioClockHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.aioclock.isHealthy('scheduler')]);
  }
}
