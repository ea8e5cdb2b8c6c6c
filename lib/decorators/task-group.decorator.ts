import { TASK_GROUP_METADATA } from '../aioclock.constants.js';
import { optionError } from '../errors.js';
import { checkPolicyKeys, type TaskPolicies } from '../runner/task-policies.js';
import { checkString } from '../utils/validation.js';

/** What `@TaskGroup` records on a class. */
export interface TaskGroupMetadata {
  name: string;
  defaults: TaskPolicies;
}

/**
 * Groups the `@Task` methods of a class (aioclock's Group): they share a name prefix, can be paused
 * and resumed together, and take `defaults` (timeout, overlap, retry...) unless they set their own.
 */
export function TaskGroup(name?: string, defaults: TaskPolicies = {}): ClassDecorator {
  return (target) => {
    // Keys are checked here, where the typo is; values at bootstrap, merged into each task's.
    const fail = optionError(`@TaskGroup on ${target.name}`);
    if (name !== undefined) checkString(fail, 'name', name);
    checkPolicyKeys(fail, 'defaults', defaults);
    const metadata: TaskGroupMetadata = { name: name ?? target.name, defaults };
    Reflect.defineMetadata(TASK_GROUP_METADATA, metadata, target);
  };
}
