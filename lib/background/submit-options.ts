import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messages, OptionValidationError } from '../errors.js';
import { MAX_TIMER_DELAY_MS } from '../utils/abortable-sleep.js';
import {
  EXECUTOR_KINDS,
  JOB_PRIORITIES,
  type ExecutorKind,
  type InlineWork,
  type SubmitOptions,
  type WorkerWork,
} from './job.interface.js';
import type { ResolvedWorkerWork } from './job.js';

const OWNER = 'TaskSupervisor.submit';
const KNOWN_KEYS = new Set(['priority', 'executor', 'timeout', 'delay', 'signal', 'name']);

/** Picks the executor for the work and checks that the work has the shape that executor needs. */
export function resolveExecutor(
  work: InlineWork<unknown> | WorkerWork,
  requested: ExecutorKind | undefined,
): ExecutorKind {
  if (requested !== undefined && !EXECUTOR_KINDS.includes(requested)) {
    invalid('executor', `must be one of 'inline', 'thread', 'process', got ${show(requested)}`);
  }
  if (typeof work === 'function') {
    if (requested === undefined || requested === 'inline') return 'inline';
    invalid(
      'executor',
      `'${requested}' work must be a { module, fn, args } description, not a function`,
    );
  }
  if (work === null || typeof work !== 'object') {
    invalid('work', 'must be an async function or a { module, fn, args } description');
  }
  if (requested === 'inline') {
    invalid('executor', "'inline' work must be a function, not a { module, fn, args } description");
  }
  return requested ?? 'thread';
}

/** Checks every option that is present; unknown keys are refused so that a typo cannot pass. */
export function validateSubmitOptions(options: SubmitOptions): void {
  if (options === null || typeof options !== 'object') invalid('options', 'must be an object');
  for (const key in options) {
    if (!KNOWN_KEYS.has(key)) {
      invalid(key, `unknown option; expected one of ${[...KNOWN_KEYS].join(', ')}`);
    }
  }
  const { priority, timeout, delay, signal, name } = options;
  if (priority !== undefined && !JOB_PRIORITIES.includes(priority)) {
    invalid(
      'priority',
      `must be one of ${JOB_PRIORITIES.map((p) => `'${p}'`).join(', ')}, got ${show(priority)}`,
    );
  }
  if (timeout !== undefined) milliseconds('timeout', timeout, 1);
  if (delay !== undefined) milliseconds('delay', delay, 0);
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    invalid('signal', 'must be an AbortSignal');
  }
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    invalid('name', `must be a non-empty string, got ${show(name)}`);
  }
}

/** The name a job gets when none is given: the function's, or the worker export's. */
export function defaultJobName(work: InlineWork<unknown> | WorkerWork): string {
  return typeof work === 'function' ? work.name || 'anonymous' : work.fn;
}

// Specifiers repeat (a handful of job modules), and pathToFileURL costs microseconds per call.
const specifiers = new Map<string, string>();

/** Checks a `{ module, fn, args }` description and makes its module importable from a worker. */
export function resolveWorkerWork(work: WorkerWork): ResolvedWorkerWork {
  const { module, fn, args = [] } = work;
  if (typeof fn !== 'string' || fn === '') {
    invalid('work.fn', `must be the name of an exported function, got ${show(fn)}`);
  }
  if (!Array.isArray(args)) invalid('work.args', 'must be an array of cloneable values');
  return { module: toSpecifier(module), fn, args };
}

function toSpecifier(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    invalid('work.module', `must be a file path or a file URL, got ${show(module)}`);
  }
  let specifier = specifiers.get(module);
  if (specifier === undefined) {
    // Relative paths are taken from the working directory: the worker's own location means nothing to callers.
    if (module.startsWith('file:')) specifier = module;
    else if (isAbsolute(module)) specifier = pathToFileURL(module).href;
    else if (module.startsWith('.')) specifier = pathToFileURL(resolve(module)).href;
    else specifier = module;
    if (specifiers.size < 1_000) specifiers.set(module, specifier);
  }
  return specifier;
}

function milliseconds(field: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    invalid(field, `must be a finite number of milliseconds >= ${min}, got ${show(value)}`);
  }
  if (value > MAX_TIMER_DELAY_MS) invalid(field, messages.tooLongForTimer(value));
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function invalid(field: string, reason: string): never {
  throw new OptionValidationError(OWNER, field, reason);
}
