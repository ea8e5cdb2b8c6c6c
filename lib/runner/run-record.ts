import { describeValue } from '../utils/describe-value.js';

/** How a run, or a fire time that did not run, ended. */
export type RunStatus = 'succeeded' | 'failed' | 'timedOut' | 'skipped' | 'missed' | 'cancelled';

/** What started a run: its schedule, or a call to `runTask`. */
export type RunOrigin = 'schedule' | 'manual' | 'startup' | 'shutdown';

/** What history keeps of a thrown value. */
export interface RunError {
  name: string;
  message: string;
  stack: string | null;
}

/** One entry of a task's history: a run attempt, or a fire time that was skipped or missed. */
export interface RunRecord {
  runId: string;
  taskId: string;
  taskName: string;
  origin: RunOrigin;
  /** The planned fire time; null for a manual run. */
  scheduledAt: Date | null;
  /** Null when the run never started (skipped, missed). */
  startedAt: Date | null;
  finishedAt: Date;
  status: RunStatus;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  error: RunError | null;
  /** A short, JSON-safe summary of the returned value (strings and JSON cut to 200 characters). */
  result: string | null;
  /** Cluster mode: the replica that ran it. */
  instanceId?: string;
  /** Cluster mode: the token of the tick it ran under (see TaskContext.fencingToken). */
  fencingToken?: number | null;
}

const SUMMARY_LIMIT = 200;

/** Summarises a run's return value for history without keeping the value itself alive. */
export function summariseResult(value: unknown): string | null {
  if (value === undefined) return null;
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? describeValue(value));
  } catch {
    text = describeValue(value);
  }
  return text.length > SUMMARY_LIMIT ? `${text.slice(0, SUMMARY_LIMIT - 1)}…` : text;
}

/**
 * Copies what history needs from a thrown value, which may not be an Error, and whose `name`,
 * `message` or `toString` may throw: describing it never throws.
 */
export function describeError(error: unknown): RunError {
  try {
    if (error instanceof Error) {
      const { name, message, stack } = error;
      return {
        name: typeof name === 'string' ? name : describeValue(name),
        message: typeof message === 'string' ? message : describeValue(message),
        stack: typeof stack === 'string' ? stack : null,
      };
    }
  } catch {
    // A getter threw: fall through to the safe description of the value itself.
  }
  return { name: 'NonError', message: describeValue(error), stack: null };
}
