import { optionError } from '../errors.js';
import { checkKnownKeys, checkTimerDelay } from '../utils/validation.js';
import { WaitTimeoutError } from './background.errors.js';
import type { JobHandle } from './job.interface.js';
import { isTerminal } from './job.js';

/** Options of `waitAll`. */
export interface WaitAllOptions {
  /** Milliseconds to wait before rejecting with a `WaitTimeoutError`; nothing is cancelled. */
  timeout?: number;
}

/** The values of a tuple of handles, in the same order. */
export type JobResults<T extends readonly JobHandle[]> = {
  -readonly [K in keyof T]: T[K] extends JobHandle<infer R> ? R : never;
};

/**
 * Resolves with the results in the order of `handles` or rejects with the first failure, as
 * Promise.all does; with a timeout, rejects at the deadline naming the jobs still unfinished.
 */
export function waitAll<const T extends readonly JobHandle[]>(
  handles: T,
  options: WaitAllOptions = {},
): Promise<JobResults<T>> {
  // Checked before the results are awaited: a throw after would leave their rejections unhandled.
  const fail = optionError('TaskSupervisor.waitAll');
  checkKnownKeys(fail, '', options, ['timeout']);
  const { timeout } = options;
  if (timeout !== undefined) checkTimerDelay(fail, 'timeout', timeout);
  const all = Promise.all(handles.map((handle) => handle.result)) as Promise<JobResults<T>>;
  if (timeout === undefined) return all;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const unfinished = handles.filter((handle) => !isTerminal(handle.status));
      reject(new WaitTimeoutError(timeout, unfinished));
    }, timeout);
    all.then(
      (values) => {
        clearTimeout(timer);
        resolve(values);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
