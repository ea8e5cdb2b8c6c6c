import { randomBytes } from 'node:crypto';
import {
  Controller,
  DefaultValuePipe,
  ForbiddenException,
  Get,
  Header,
  Headers,
  HttpCode,
  Inject,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  Res,
  Sse,
  UseFilters,
  UseGuards,
  type MessageEvent,
  type Type,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { AioClockExceptionFilter } from '../aioclock-exception.filter.js';
import { dashboardMessages } from './dashboard.messages.js';
import type { ResolvedDashboardOptions } from './dashboard.options.js';
import { renderDashboardPage } from './dashboard.page.js';
import { DashboardService, type StreamResponse } from './dashboard.service.js';
import type { TaskDetailView, TaskView } from './dashboard.views.js';

/** The header every action needs: a cross-site form cannot set it, so it cannot post here. */
export const DASHBOARD_ACTION_HEADER = 'x-aioclock-dashboard';

/**
 * The part of the response the page route uses, the same on Express and Fastify (the platforms'
 * types stay optional).
 */
interface PageResponse {
  header(name: string, value: string): void;
  send(body: string): void;
}

const MINUTE = 60_000;

function requireActionHeader(value: string | undefined): void {
  if (value === undefined) throw new ForbiddenException(dashboardMessages.missingActionHeader());
}

/**
 * The dashboard's routes under the configured path, every one behind the guard: Nest's
 * `@Controller` takes its path when the class is declared, so each mount declares its own class.
 */
export function createDashboardController(options: ResolvedDashboardOptions): Type<unknown> {
  @Controller(options.route)
  // An unknown task 404, a run refused by its overlap policy 409.
  @UseFilters(AioClockExceptionFilter)
  class DashboardController {
    constructor(@Inject(DashboardService) private readonly dashboard: DashboardService) {}

    /** The page; its script and style carry a fresh nonce, the only ones the CSP lets run. */
    @Get()
    page(@Res() response: PageResponse): void {
      const nonce = randomBytes(16).toString('base64');
      response.header('Content-Type', 'text/html; charset=utf-8');
      response.header('Cache-Control', 'no-store');
      response.header(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
          "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      response.header('X-Content-Type-Options', 'nosniff');
      response.send(renderDashboardPage(nonce));
    }

    /** An OverviewView, as JSON text shared by every page for a second. */
    @Get('api/overview')
    @Header('Cache-Control', 'no-store')
    @Header('Content-Type', 'application/json; charset=utf-8')
    overview(
      @Query('minutes', new DefaultValuePipe(10), ParseIntPipe) minutes: number,
    ): Promise<string> {
      const clamped = Math.min(Math.max(minutes, 1), 24 * 60);
      return this.dashboard.overviewJson(clamped * MINUTE);
    }

    @Get('api/tasks/:idOrName')
    @Header('Cache-Control', 'no-store')
    detail(@Param('idOrName') idOrName: string): Promise<TaskDetailView> {
      return this.dashboard.detail(idOrName);
    }

    @Post('api/tasks/:idOrName/run')
    @HttpCode(202)
    run(
      @Param('idOrName') idOrName: string,
      @Headers(DASHBOARD_ACTION_HEADER) header: string | undefined,
    ): TaskView {
      requireActionHeader(header);
      return this.dashboard.runNow(idOrName);
    }

    @Post('api/tasks/:idOrName/pause')
    @HttpCode(200)
    pause(
      @Param('idOrName') idOrName: string,
      @Headers(DASHBOARD_ACTION_HEADER) header: string | undefined,
    ): Promise<TaskView> {
      requireActionHeader(header);
      return this.dashboard.pause(idOrName);
    }

    @Post('api/tasks/:idOrName/resume')
    @HttpCode(200)
    resume(
      @Param('idOrName') idOrName: string,
      @Headers(DASHBOARD_ACTION_HEADER) header: string | undefined,
    ): Promise<TaskView> {
      requireActionHeader(header);
      return this.dashboard.resume(idOrName);
    }

    @Sse('events')
    events(@Req() request: { res?: StreamResponse }): Observable<MessageEvent> {
      return this.dashboard.stream(request.res);
    }
  }
  if (options.guard !== null) UseGuards(options.guard)(DashboardController);
  return DashboardController;
}
