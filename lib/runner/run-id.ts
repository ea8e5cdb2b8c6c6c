import { randomBytes } from 'node:crypto';

/**
 * Run ids are a random per-process prefix and a counter: unique across processes and replicas in
 * practice, and far cheaper than a UUID per run. A run's id is derived from its number, so the
 * id a method sees and the one in history agree without storing the string twice.
 */
const PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

/** The number of a new run. */
export function nextRunSeq(): number {
  return ++counter;
}

/** The id of run number `seq`. */
export function runIdOf(seq: number): string {
  return `${PREFIX}-${seq.toString(36)}`;
}
