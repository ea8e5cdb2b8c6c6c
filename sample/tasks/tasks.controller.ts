import {
  Controller,
  DefaultValuePipe,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Sse,
  UseFilters,
  UseGuards,
  type MessageEvent,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { AioClockExceptionFilter, TaskRegistry } from '../../lib/index.js';
import { IntRangePipe } from '../common/input.pipes.js';
import { DashboardTokenGuard } from '../dashboard/dashboard-token.guard.js';

/**
 * The external API over HTTP: list, inspect, run, pause, resume, history and live events. Reading
 * is open; run, pause and resume change what the app does, so they want the dashboard's token.
 */
@Controller('tasks')
// Unknown task 404, bad input 400, a refused run 409, instead of a 500.
@UseFilters(AioClockExceptionFilter)
export class TasksController {
  constructor(private readonly registry: TaskRegistry) {}

  @Get()
  list() {
    return this.registry.getTasks();
  }

  /** Server-sent events: one message per scheduler event. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.registry.events$.pipe(map((event) => ({ type: event.type, data: event })));
  }

  @Get(':idOrName')
  get(@Param('idOrName') idOrName: string) {
    return this.registry.getTask(idOrName);
  }

  /** The newest runs first; `limit` is 1 to 1000 (default 20), anything else gets a 400. */
  @Get(':idOrName/history')
  history(
    @Param('idOrName') idOrName: string,
    @Query('limit', new DefaultValuePipe(20), new IntRangePipe('limit', 1, 1_000)) limit: number,
  ) {
    return this.registry.getHistory(idOrName, { limit });
  }

  /** The next fire times; `count` is 1 to 1000 (default 5). */
  @Get(':idOrName/upcoming')
  upcoming(
    @Param('idOrName') idOrName: string,
    @Query('count', new DefaultValuePipe(5), new IntRangePipe('count', 1, 1_000)) count: number,
  ) {
    return this.registry.getUpcoming(idOrName, { count });
  }

  @Post(':idOrName/run')
  @HttpCode(200)
  @UseGuards(DashboardTokenGuard)
  async run(@Param('idOrName') idOrName: string) {
    const result = await this.registry.runTask(idOrName);
    return { result: result ?? null };
  }

  @Post(':idOrName/pause')
  @HttpCode(200)
  @UseGuards(DashboardTokenGuard)
  async pause(@Param('idOrName') idOrName: string) {
    return this.registry.pause(idOrName);
  }

  @Post(':idOrName/resume')
  @HttpCode(200)
  @UseGuards(DashboardTokenGuard)
  async resume(@Param('idOrName') idOrName: string) {
    return this.registry.resume(idOrName);
  }
}
