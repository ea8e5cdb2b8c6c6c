import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { optionError } from '../errors.js';
import {
  checkInstance,
  checkKnownKeys,
  checkOneOf,
  checkString,
  checkTimerDelay,
} from '../utils/validation.js';
import { backgroundMessages } from './background.errors.js';
import {
  EXECUTOR_KINDS,
  JOB_PRIORITIES,
  type ExecutorKind,
  type InlineWork,
  type SubmitOptions,
  type WorkerWork,
} from './job.interface.js';
import type { ResolvedWorkerWork } from './job.js';

const fail = optionError('TaskSupervisor.submit');
const SUBMIT_KEYS = Object.keys({
  priority: true,
  executor: true,
  timeout: true,
  delay: true,
  signal: true,
  name: true,
} satisfies Record<keyof SubmitOptions, true>);

/** Picks the executor for the work and checks that the work has the shape that executor needs. */
export function resolveExecutor(
  work: InlineWork<unknown> | WorkerWork,
  requested: ExecutorKind | undefined,
): ExecutorKind {
  if (requested !== undefined) checkOneOf(fail, 'executor', requested, EXECUTOR_KINDS);
  if (typeof work === 'function') {
    if (requested === undefined || requested === 'inline') return 'inline';
    throw fail('executor', backgroundMessages.executorNeedsDescription(requested));
  }
  if (work === null || typeof work !== 'object') {
    throw fail('work', backgroundMessages.notWork(work));
  }
  if (requested === 'inline') throw fail('executor', backgroundMessages.inlineNeedsFunction);
  return requested ?? 'thread';
}

/** Checks every option that is present; unknown keys are refused so that a typo cannot pass. */
export function validateSubmitOptions(options: SubmitOptions): void {
  checkKnownKeys(fail, '', options, SUBMIT_KEYS);
  const { priority, timeout, delay, signal, name } = options;
  if (priority !== undefined) checkOneOf(fail, 'priority', priority, JOB_PRIORITIES);
  if (timeout !== undefined) checkTimerDelay(fail, 'timeout', timeout, 1);
  if (delay !== undefined) checkTimerDelay(fail, 'delay', delay);
  if (signal !== undefined) checkInstance(fail, 'signal', signal, AbortSignal);
  if (name !== undefined) checkString(fail, 'name', name);
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
    throw fail('work.fn', backgroundMessages.notExportName(fn));
  }
  if (!Array.isArray(args)) throw fail('work.args', backgroundMessages.notArgs(args));
  return { module: toSpecifier(module), fn, args };
}

function toSpecifier(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw fail('work.module', backgroundMessages.notModule(module));
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
