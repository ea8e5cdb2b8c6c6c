import { messages, optionError } from '../errors.js';
import { BaseTrigger } from '../triggers/base.trigger.js';
import {
  checkBoolean,
  checkOneOf,
  checkTimerDelay,
  checkFunction,
  checkKnownKeys,
  checkNumber,
  checkObject,
  isOptionsObject,
  checkString,
  type ErrorFactory,
} from '../utils/validation.js';
import type { CriticalOptions, TaskDefinition } from './scheduled-task.js';

// A record, so that the compiler flags a field added to TaskDefinition but not listed here.
const DEFINITION_KEYS = Object.keys({
  name: true,
  group: true,
  trigger: true,
  handler: true,
  policies: true,
  groupPolicies: true,
  source: true,
  disabled: true,
  initialDelay: true,
  coordination: true,
  critical: true,
} satisfies Record<keyof TaskDefinition, true>);

/**
 * Checks the shape of a task definition (`addTask` or the explorer's), naming the field, so that
 * a bad one fails here and not later in `getTasks()` or a run. Policy values are checked when
 * they are resolved against the module's defaults.
 */
export function validateTaskDefinition(definition: TaskDefinition): void {
  // The owner is named only when a check fails: registering 100,000 tasks builds no strings.
  const fail: ErrorFactory = (field, reason) =>
    optionError(isNamed(definition) ? `Task "${definition.name}"` : 'Task definition')(
      field,
      reason,
    );
  checkKnownKeys(fail, '', definition, DEFINITION_KEYS);
  checkString(fail, 'name', definition.name);
  checkTrigger(fail, 'trigger', definition.trigger);
  checkFunction(fail, 'handler', definition.handler);
  const { group, policies, source } = definition;
  if (group !== undefined && group !== null) checkString(fail, 'group', group);
  if (policies !== undefined) checkObject(fail, 'policies', policies);
  if (definition.groupPolicies !== undefined) {
    checkObject(fail, 'groupPolicies', definition.groupPolicies);
  }
  if (source !== undefined) checkString(fail, 'source', source);
  if (definition.disabled !== undefined) checkBoolean(fail, 'disabled', definition.disabled);
  if (definition.coordination !== undefined) {
    checkOneOf(fail, 'coordination', definition.coordination, ['cluster', 'local']);
  }
  if (definition.initialDelay !== undefined) {
    checkTimerDelay(fail, 'initialDelay', definition.initialDelay);
  }
  if (definition.critical !== undefined) checkCritical(fail, definition.critical);
}

const CRITICAL_KEYS = Object.keys({ within: true } satisfies Record<keyof CriticalOptions, true>);

/** `critical` is true, false, or `{ within: ms }` with a positive period. */
function checkCritical(fail: ErrorFactory, critical: unknown): void {
  if (typeof critical === 'boolean') return;
  if (!isOptionsObject(critical)) throw fail('critical', messages.badCritical(critical));
  checkKnownKeys(fail, 'critical', critical, CRITICAL_KEYS);
  const { within } = critical as CriticalOptions;
  if (within !== undefined) checkNumber(fail, 'critical.within', within, { min: 1 });
}

/** Rejects anything that is not a trigger. */
export function checkTrigger(fail: ErrorFactory, field: string, value: unknown): BaseTrigger {
  if (!(value instanceof BaseTrigger)) throw fail(field, messages.notATrigger(value));
  return value;
}

function isNamed(definition: unknown): definition is { name: string } {
  return (
    typeof definition === 'object' &&
    definition !== null &&
    typeof (definition as { name?: unknown }).name === 'string' &&
    (definition as { name: string }).name !== ''
  );
}
