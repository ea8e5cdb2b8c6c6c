import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { optionError } from '../errors.js';
import { TaskRegistry } from '../task.registry.js';
import type { SchedulerStatus } from '../runner/scheduler-status.js';
import { checkKnownKeys, checkNumber, checkOneOf } from '../utils/validation.js';
import { terminusMessages } from './terminus.messages.js';

/** Options of `AioClockHealthIndicator.isHealthy`. */
export interface AioClockHealthOptions {
  /** How long (ms) the cluster store may be unreachable before the check is down. Default 30,000. */
  maxStoreOutage?: number;
  /**
   * What an overdue critical task makes the check: 'down' (default) or 'degraded' (terminus 12:
   * HTTP 200, overall status 'degraded'; on terminus 11, up with the reasons in the details).
   */
  overdue?: 'down' | 'degraded';
}

/** Default of `maxStoreOutage`: a few failed claims in a row, not one slow round trip. */
export const DEFAULT_MAX_STORE_OUTAGE = 30_000;

const OPTION_KEYS = Object.keys({ maxStoreOutage: true, overdue: true } satisfies Record<
  keyof AioClockHealthOptions,
  true
>);

/**
 * A `@nestjs/terminus` health indicator for the scheduler (`nestjs-aioclock/terminus`): down when
 * the scheduler is not running, when the cluster store has been unreachable for longer than
 * `maxStoreOutage`, or when a task declared `critical` has not succeeded in time; the details
 * name the reasons and the tasks. It reads `registry.status()`, so it costs no store round trip.
 */
@Injectable()
export class AioClockHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly registry: TaskRegistry,
  ) {}

  /** The check under `key` (default 'aioclock'), for `HealthCheckService.check([...])`. */
  async isHealthy<const Key extends string = 'aioclock'>(
    key: Key = 'aioclock' as Key,
    options: AioClockHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const fail = optionError('AioClockHealthIndicator.isHealthy');
    checkKnownKeys(fail, '', options, OPTION_KEYS);
    const maxOutage = checkNumber(
      fail,
      'maxStoreOutage',
      options.maxStoreOutage ?? DEFAULT_MAX_STORE_OUTAGE,
      { min: 0 },
    );
    const overdueStatus = checkOneOf(fail, 'overdue', options.overdue ?? 'down', [
      'down',
      'degraded',
    ] as const);
    const status = this.registry.status();
    const down = downReasons(status, maxOutage, Date.now());
    const late = status.overdue.map(({ task, dueBy }) => terminusMessages.overdue(task, dueBy));
    const details = describeStatus(status, [...down, ...late]);
    const session = this.health.check(key);
    // Resolved, never thrown: terminus reads the status from the result (v11+).
    if (down.length > 0 || (late.length > 0 && overdueStatus === 'down')) {
      return session.down(details);
    }
    if (late.length === 0) return session.up(details);
    // 'degraded' came with terminus 12; on 11 the check stays up, the reasons in its details.
    return typeof session.degraded === 'function' ? session.degraded(details) : session.up(details);
  }
}

/** Why the scheduler is down, apart from overdue tasks. */
function downReasons(status: SchedulerStatus, maxOutage: number, now: number): string[] {
  const reasons: string[] = [];
  if (status.state !== 'running') reasons.push(terminusMessages.notRunning(status.state));
  const since = status.cluster?.unreachableSince;
  if (status.cluster && since && now - since.getTime() > maxOutage) {
    reasons.push(terminusMessages.storeUnreachable(status.cluster.store, now - since.getTime()));
  }
  return reasons;
}

/** The details terminus shows: JSON-safe, the failing tasks by name. */
function describeStatus(status: SchedulerStatus, reasons: string[]): Record<string, unknown> {
  const { cluster } = status;
  return {
    state: status.state,
    tasks: status.tasks,
    runsInFlight: status.runsInFlight,
    ...(reasons.length > 0 ? { reasons } : {}),
    overdue: status.overdue.map((entry) => ({
      task: entry.task,
      group: entry.group,
      lastSucceededAt: entry.lastSucceededAt?.toISOString() ?? null,
      dueBy: entry.dueBy.toISOString(),
    })),
    ...(cluster
      ? {
          cluster: {
            store: cluster.store,
            instanceId: cluster.instanceId,
            reachable: cluster.reachable,
            unreachableSince: cluster.unreachableSince?.toISOString() ?? null,
            lastContactAt: cluster.lastContactAt?.toISOString() ?? null,
            clockOffsetMs: cluster.clockOffsetMs,
            leasesHeld: cluster.leasesHeld,
          },
        }
      : {}),
  };
}
