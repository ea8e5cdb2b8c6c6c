import { TASK_METADATA } from '../aioclock.constants.js';
import { TaskDeclarationError, messages, optionError } from '../errors.js';
import { checkPolicyKeys, type TaskPolicies } from '../runner/task-policies.js';
import { BaseTrigger } from '../triggers/base.trigger.js';
import type { CriticalOptions } from '../runner/scheduled-task.js';
import { checkString } from '../utils/validation.js';

/** Options of `@Task`: a name, how it starts, and the run policies (timeout, overlap, retry...). */
export interface TaskOptions extends TaskPolicies {
  /** Default `ClassName.methodName`, or `group.methodName` inside a `@TaskGroup`. */
  name?: string;
  /** Registered and listed, but never scheduled until `registry.resume(name)`. */
  disabled?: boolean;
  /** No fire before the scheduler's start (or the task's registration, if later) + this many ms. */
  initialDelay?: number;
  /**
   * In a cluster: 'cluster' (default) runs each tick on one replica; 'local' runs the task on
   * every replica, as without a cluster (a cache refresh each process needs, say).
   */
  coordination?: 'cluster' | 'local';
  /**
   * Health checks (`registry.status().overdue`, the terminus indicator) report the task when it
   * has not succeeded in time: `true` (within two of its fire times) or `{ within: ms }`.
   */
  critical?: boolean | CriticalOptions;
}

/** What `@Task` records on a method. */
export interface TaskDecoratorMetadata {
  trigger: BaseTrigger;
  options: TaskOptions;
}

/**
 * Schedules the decorated method of a provider or controller with `trigger`. The method runs on
 * the instance Nest built (so its dependencies are injected) and receives a `TaskContext`.
 */
export function Task(trigger: BaseTrigger, options: TaskOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    // On a static method the target is the class itself: there is no instance to run it on.
    if (typeof target === 'function') {
      throw new TaskDeclarationError(messages.staticTaskMethod(target.name, String(key)));
    }
    const where = `${target.constructor.name}.${String(key)}`;
    if (!(trigger instanceof BaseTrigger)) {
      throw new TaskDeclarationError(messages.taskNeedsTrigger(where, trigger));
    }
    // Keys are checked here, where the typo is; values at bootstrap, merged with the defaults.
    const fail = optionError(`@Task on ${where}`);
    checkPolicyKeys(fail, '', options, [
      'name',
      'disabled',
      'initialDelay',
      'coordination',
      'critical',
    ]);
    if (options.name !== undefined) checkString(fail, 'name', options.name);
    if (typeof descriptor.value !== 'function') {
      throw new TaskDeclarationError(`${where}: @Task decorates methods only`);
    }
    if (Reflect.hasOwnMetadata(TASK_METADATA, descriptor.value)) {
      throw new TaskDeclarationError(
        messages.duplicateTaskDecorator(target.constructor.name, String(key)),
      );
    }
    const metadata: TaskDecoratorMetadata = { trigger, options };
    Reflect.defineMetadata(TASK_METADATA, metadata, descriptor.value);
    return descriptor;
  };
}
