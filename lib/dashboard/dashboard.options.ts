import type { CanActivate, Type } from '@nestjs/common';
import { optionError } from '../errors.js';
import { checkBoolean, checkKnownKeys, checkString } from '../utils/validation.js';
import { dashboardMessages } from './dashboard.messages.js';

/** Options of `AioClockDashboardModule.forRoot`. */
export interface DashboardOptions {
  /** Where the page is served; JSON endpoints live below it. Default '/aioclock'. */
  path?: string;
  /** Who may see and operate the dashboard: a Nest guard class or instance. Required. */
  guard?: Type<CanActivate> | CanActivate;
  /** Mounts without a guard: for local development only, and said so in the log at bootstrap. */
  allowUnguarded?: boolean;
}

/** Options with the default path filled in and the guard question settled. */
export interface ResolvedDashboardOptions {
  /** Without leading or trailing slash, as Nest's @Controller takes it (e.g. 'aioclock'). */
  route: string;
  /** With the leading slash, for messages. */
  path: string;
  guard: Type<CanActivate> | CanActivate | null;
}

const KEYS = Object.keys({
  path: true,
  guard: true,
  allowUnguarded: true,
} satisfies Record<keyof DashboardOptions, true>);
const PATH = /^\/?[A-Za-z0-9\-_.~]+(\/[A-Za-z0-9\-_.~]+)*\/?$/;
const fail = optionError('AioClockDashboardModule');

function isGuard(value: unknown): value is Type<CanActivate> | CanActivate {
  if (typeof value === 'function') return typeof value.prototype?.canActivate === 'function';
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<CanActivate>).canActivate === 'function'
  );
}

/**
 * Checks the options when the module is imported, so a dashboard without a guard fails at
 * bootstrap rather than opening a door: only `allowUnguarded: true` mounts one without.
 */
export function resolveDashboardOptions(options: DashboardOptions = {}): ResolvedDashboardOptions {
  checkKnownKeys(fail, '', options, KEYS);
  const path = checkString(fail, 'path', options.path ?? '/aioclock');
  if (!PATH.test(path)) throw fail('path', dashboardMessages.badPath(path));
  const allowUnguarded =
    options.allowUnguarded === undefined
      ? false
      : checkBoolean(fail, 'allowUnguarded', options.allowUnguarded);
  const guard = options.guard ?? null;
  if (guard !== null && !isGuard(guard)) throw fail('guard', dashboardMessages.notAGuard(guard));
  if (guard === null && !allowUnguarded) throw fail('guard', dashboardMessages.missingGuard());
  const route = path.replace(/^\/+|\/+$/g, '');
  return { route, path: `/${route}`, guard };
}
