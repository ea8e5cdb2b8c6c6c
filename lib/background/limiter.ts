import { optionError } from '../errors.js';
import { checkInteger, checkKnownKeys } from '../utils/validation.js';
import { backgroundMessages, JobLimitError } from './background.errors.js';

/** Limits on the jobs of one name, after amltk's Limiter. */
export interface JobLimits {
  /** How many jobs of this name may ever be submitted. */
  maxCalls?: number;
  /** How many jobs of this name may be live (queued, delayed or running) at once. */
  maxConcurrent?: number;
  /** Names of jobs that, while any of them is live, refuse this one. */
  notWhileRunning?: string | readonly string[];
}

interface NameCounter {
  calls: number;
  live: number;
}

interface ResolvedLimits {
  maxCalls: number;
  maxConcurrent: number;
  notWhileRunning: readonly string[];
}

/** Counts submissions and live jobs per name and refuses those over a limit; costs nothing without limits. */
export class Limiter {
  /** False when no limits are configured, so the supervisor can skip the limiter entirely. */
  readonly enabled: boolean;
  private readonly limits = new Map<string, ResolvedLimits>();
  private readonly counters = new Map<string, NameCounter>();

  constructor(limits: Readonly<Record<string, JobLimits>> = {}) {
    for (const [name, raw] of Object.entries(limits)) {
      const resolved = resolveLimits(name, raw);
      this.limits.set(name, resolved);
      this.counter(name);
      for (const other of resolved.notWhileRunning) this.counter(other);
    }
    this.enabled = this.limits.size > 0;
  }

  /** Counts the submission, or returns the error that refuses it (and counts nothing). */
  admit(name: string): JobLimitError | undefined {
    const limits = this.limits.get(name);
    const counter = this.counters.get(name);
    if (limits !== undefined && counter !== undefined) {
      if (counter.calls >= limits.maxCalls) {
        return new JobLimitError(name, 'maxCalls', backgroundMessages.maxCalls(limits.maxCalls));
      }
      if (counter.live >= limits.maxConcurrent) {
        return new JobLimitError(
          name,
          'maxConcurrent',
          backgroundMessages.maxConcurrent(limits.maxConcurrent),
        );
      }
      for (const other of limits.notWhileRunning) {
        if (this.counters.get(other)!.live > 0) {
          return new JobLimitError(
            name,
            'notWhileRunning',
            backgroundMessages.notWhileRunning(other),
          );
        }
      }
    }
    if (counter !== undefined) {
      counter.calls++;
      counter.live++;
    }
    return undefined;
  }

  /** A job of this name finished. */
  release(name: string): void {
    const counter = this.counters.get(name);
    if (counter !== undefined) counter.live--;
  }

  private counter(name: string): NameCounter {
    let counter = this.counters.get(name);
    if (counter === undefined) {
      counter = { calls: 0, live: 0 };
      this.counters.set(name, counter);
    }
    return counter;
  }
}

const fail = optionError('TaskSupervisor');
const LIMIT_KEYS = Object.keys({
  maxCalls: true,
  maxConcurrent: true,
  notWhileRunning: true,
} satisfies Record<keyof JobLimits, true>);

function resolveLimits(name: string, raw: JobLimits): ResolvedLimits {
  const at = `limits.${name}`;
  checkKnownKeys(fail, at, raw, LIMIT_KEYS);
  const others = raw.notWhileRunning ?? [];
  const list = typeof others === 'string' ? [others] : others;
  if (!Array.isArray(list) || list.some((other) => typeof other !== 'string' || other === '')) {
    throw fail(`${at}.notWhileRunning`, backgroundMessages.notJobNames(others));
  }
  return {
    maxCalls: positiveCount(`${at}.maxCalls`, raw.maxCalls),
    maxConcurrent: positiveCount(`${at}.maxConcurrent`, raw.maxConcurrent),
    notWhileRunning: list,
  };
}

function positiveCount(field: string, value: number | undefined): number {
  return value === undefined ? Infinity : checkInteger(fail, field, value, { min: 1 });
}
