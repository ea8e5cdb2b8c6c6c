import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';

/**
 * The sample dashboard's token: DASHBOARD_TOKEN, or a random one made at startup and printed
 * with the dashboard's URL (as Jupyter does), so that the page is never open to anyone by default.
 */
export const DASHBOARD_TOKEN = process.env.DASHBOARD_TOKEN || randomBytes(12).toString('base64url');

/**
 * Lets a request in when it carries the token, as `?token=` (the page forwards its own query to
 * its API and event stream, which cannot send headers) or an `x-dashboard-token` header (curl).
 * A real app would check its own session or SSO here instead.
 */
@Injectable()
export class DashboardTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{
      query: Record<string, unknown>;
      headers: Record<string, unknown>;
    }>();
    const given = request.query.token ?? request.headers['x-dashboard-token'];
    if (typeof given === 'string' && sameText(given, DASHBOARD_TOKEN)) return true;
    throw new UnauthorizedException(
      'send the token the app printed at startup (or DASHBOARD_TOKEN) as ?token=... or an x-dashboard-token header',
    );
  }
}

/** Compares in constant time, so the token cannot be guessed character by character. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
