import { RemoteJobError } from '../background.errors.js';

/** An error as worker-entry.js sends it back: plain data, since Error subclasses do not survive cloning. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  [key: string]: unknown;
}

/** What worker-entry.js resolves with, so that a job's own error is told apart from a dead worker. */
export type WorkerReply = { ok: true; value: unknown } | { ok: false; error: SerializedError };

/** The workers' entry file; plain ESM next to this one (the build copies it to dist). */
export const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

/** Rebuilds a job's error with its name, message, stack and own fields. */
export function reviveError(error: SerializedError): Error {
  const { name, message, stack, ...fields } = error;
  return Object.assign(new RemoteJobError(name, message, stack), fields);
}
