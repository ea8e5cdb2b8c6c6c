// nestjs-aioclock/dashboard: a page served by the app itself, with live updates over SSE.
export { AioClockDashboardModule } from './dashboard.module.js';
export type { DashboardOptions } from './dashboard.options.js';
export { DASHBOARD_ACTION_HEADER } from './dashboard.controller.js';
export { dashboardMessages } from './dashboard.messages.js';
export { describeTrigger, describeDuration } from './trigger-describer.js';
export type {
  TaskState,
  TaskView,
  TimelineRun,
  TimelineView,
  OverviewView,
  TaskDetailView,
  LiveTaskBatch,
} from './dashboard.views.js';
export type { JobView, PoolView, JobsView } from './job-tracker.js';
