/** Every reason the health indicator gives, so that tests and dashboards quote one wording. */
export const terminusMessages = {
  notRunning: (state: string) => `the scheduler is not running (state: ${state})`,
  storeUnreachable: (store: string, forMs: number) =>
    `the cluster store (${store}) has been unreachable for ${Math.round(forMs / 1000)} s`,
  overdue: (task: string, dueBy: Date) =>
    `critical task "${task}" has not succeeded since it was due by ${dueBy.toISOString()}`,
} as const;
