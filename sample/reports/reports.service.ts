import { Injectable, Logger } from '@nestjs/common';
import { At, Cron, Once, Task, TaskGroup, type TaskContext } from '../../lib/index.js';

/** Reports on calendar schedules, in named time zones. */
@TaskGroup('reports', { timeout: 60_000 })
@Injectable()
export class Reports {
  private readonly logger = new Logger(Reports.name);

  /**
   * 02:30 every night in Berlin; on the spring DST day it runs at 03:00, in autumn once. Critical:
   * /health turns 503 if two nights pass without a successful report.
   */
  @Task(new Cron('30 2 * * *', { tz: 'Europe/Berlin' }), { critical: true })
  nightly({ scheduledAt }: TaskContext) {
    this.logger.log(`Nightly report for ${scheduledAt?.toISOString() ?? 'a manual run'}`);
    return { rows: 42 };
  }

  /** Mondays at 09:00 in New York. */
  @Task(new At({ at: 'every monday', hour: 9, minute: 0, tz: 'America/New_York' }))
  weekly() {
    this.logger.log('Weekly summary sent');
  }

  /** Once, right after start: announce the deploy. */
  @Task(new Once())
  announceDeploy() {
    this.logger.log('Deployed: reports are scheduled');
  }
}
