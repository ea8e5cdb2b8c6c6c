import { runIdOf } from './run-id.js';

/** How a run, or a fire time that did not run, ended. */
export type RunStatus = 'succeeded' | 'failed' | 'timedOut' | 'skipped' | 'missed' | 'cancelled';

/** What started a run: its schedule, or a call to `runTask`. */
export type RunOrigin = 'schedule' | 'manual' | 'startup' | 'shutdown';

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
  error: { name: string; message: string; stack: string | null } | null;
  /** A short, JSON-safe summary of the returned value (strings and JSON cut to 200 characters). */
  result: string | null;
}

const SUMMARY_LIMIT = 200;

/** Summarises a run's return value for history without keeping the value itself alive. */
export function summariseResult(value: unknown): string | null {
  if (value === undefined) return null;
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > SUMMARY_LIMIT ? `${text.slice(0, SUMMARY_LIMIT - 1)}…` : text;
}

/** Copies what history needs from a thrown value, which may not even be an Error. */
export function describeError(error: unknown): NonNullable<RunRecord['error']> {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? null };
  }
  return { name: 'NonError', message: String(error), stack: null };
}

/** One run's fields as numbers and short strings: how runs travel before anyone needs a record. */
export interface RunFields {
  runSeq: number;
  origin: RunOrigin;
  /** Epoch ms; -1 for none. */
  scheduledAtMs: number;
  startedAtMs: number;
  finishedAtMs: number;
  status: RunStatus;
  attempt: number;
  error: RunRecord['error'];
  result: string | null;
}

/** The record of a run from its fields; the id derives from the run number unless given. */
export function recordOf(
  taskId: string,
  taskName: string,
  fields: RunFields,
  runId: string = runIdOf(fields.runSeq),
): RunRecord {
  const date = (ms: number) => (ms < 0 ? null : new Date(ms));
  return {
    runId,
    taskId,
    taskName,
    origin: fields.origin,
    scheduledAt: date(fields.scheduledAtMs),
    startedAt: date(fields.startedAtMs),
    finishedAt: new Date(fields.finishedAtMs),
    status: fields.status,
    attempt: fields.attempt,
    error: fields.error,
    result: fields.result,
  };
}
