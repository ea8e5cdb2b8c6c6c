import { describeError } from '../runner/run-record.js';

// The wording of `@nestjs/schedule`'s errors, which code and tests written for it compare against.

/** Thrown by the registry's getters and deletes for an unknown name. */
export const NO_SCHEDULER_FOUND = (schedulerName: string, name?: string): string =>
  name
    ? `No ${schedulerName} was found with the given name (${name}). Check that you created one with a decorator or with the create API.`
    : `No ${schedulerName} was found. Check your configuration.`;

/** Thrown when a name is added twice. */
export const DUPLICATE_SCHEDULER = (schedulerName: string, name: string): string =>
  `${schedulerName} with the given name (${name}) already exists. Ignored.`;

/** Logged when a CronJob's start, stop or setTime could not be committed (cluster store down). */
export const CONTROL_FAILED = (name: string, error: unknown): string =>
  `CronJob "${name}": the change could not be committed: ${describeError(error).message}`;
