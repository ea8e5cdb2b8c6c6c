export * from './background.errors.js';
export * from './background.events.js';
export * from './job.interface.js';
export type { JobLimits } from './limiter.js';
export * from './task-supervisor.js';
export * from './task-supervisor.options.js';
export * from './wait-all.js';
