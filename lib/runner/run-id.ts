import { randomBytes } from 'node:crypto';

/**
 * Run ids are a random per-process prefix and a counter: unique across processes and replicas in
 * practice, and far cheaper than a UUID per run.
 */
const PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

/** The id of a new run. */
export function newRunId(): string {
  return `${PREFIX}-${(++counter).toString(36)}`;
}
