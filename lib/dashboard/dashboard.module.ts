import { Module, type DynamicModule } from '@nestjs/common';
import { createDashboardController } from './dashboard.controller.js';
import { resolveDashboardOptions, type DashboardOptions } from './dashboard.options.js';
import { DASHBOARD_OPTIONS, DashboardService } from './dashboard.service.js';

/**
 * A page served by the app itself at `path` (default '/aioclock'): tasks, a timeline of recent
 * runs, history, upcoming fire times, background jobs and cluster state, with live updates and
 * run/pause/resume actions. It needs AioClockModule (global by default) and refuses to mount
 * without a `guard` unless `allowUnguarded: true`.
 */
@Module({})
export class AioClockDashboardModule {
  /** Mounts the dashboard; throws at bootstrap without a guard (see `allowUnguarded`). */
  static forRoot(options: DashboardOptions = {}): DynamicModule {
    const resolved = resolveDashboardOptions(options);
    return {
      module: AioClockDashboardModule,
      controllers: [createDashboardController(resolved)],
      providers: [{ provide: DASHBOARD_OPTIONS, useValue: resolved }, DashboardService],
    };
  }
}
