import { describeValue } from '../utils/describe-value.js';

/** Every message of the dashboard, so that tests and docs quote one wording. */
export const dashboardMessages = {
  /** Reason for `guard` when it is absent and `allowUnguarded` is not true. */
  missingGuard: () =>
    'missing: the dashboard can run and pause tasks, so it needs one: forRoot({ guard: YourAuthGuard }) ' +
    '(a CanActivate class or instance). To mount it without a guard, for local development only, ' +
    'pass allowUnguarded: true.',
  notAGuard: (got: unknown) =>
    `must be a CanActivate class or an object with a canActivate method, got ${describeValue(got)}`,
  badPath: (got: unknown) =>
    `must be a URL path such as '/aioclock' (letters, digits, - _ . / only), got ${describeValue(got)}`,
  unguardedWarning: (path: string) =>
    `Dashboard at ${path} is mounted WITHOUT a guard (allowUnguarded: true): anyone who can reach this app can run and pause tasks. Use it for local development only.`,
  mounted: (path: string) => `Dashboard at ${path}`,
  missingActionHeader: () =>
    'Dashboard actions need the x-aioclock-dashboard header (the page sends it), so that another site cannot post forms here.',
} as const;
