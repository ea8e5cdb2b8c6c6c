import { Injectable } from '@nestjs/common';
import type { TaskContext } from './runner/task-context.js';

/**
 * Wraps every task run. Extend it and pass the class as `forRoot({ runHook })`, or override the
 * provider in tests, to add tracing, metrics or request context around runs. `wrap` must call
 * `run` once and return (or rethrow) its outcome.
 */
@Injectable()
export class TaskRunHook {
  wrap(_context: TaskContext, run: () => Promise<unknown>): Promise<unknown> {
    return run();
  }
}
