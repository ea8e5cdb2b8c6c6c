import { TaskDeclarationError, TaskNotFoundError, messages } from '../errors.js';
import type { BaseTrigger, TriggerDefaults } from '../triggers/base.trigger.js';
import { ScheduledTask, type TaskDefinition, type TaskProfile } from './scheduled-task.js';
import { validateTaskDefinition } from './task-definition.js';
import { resolvePolicies, type TaskPolicies } from './task-policies.js';

/**
 * The registered tasks: validates each definition (unique name, a trigger of its own, valid
 * policies and zone) and finds tasks by name or id. Knows nothing of time or runs.
 */
export class TaskCatalog {
  /** In registration order (a Map keeps insertion order). */
  private readonly byName = new Map<string, ScheduledTask>();
  /** Built on the first lookup by id: ids cost a hash each, and most apps look up by name. */
  private byId: Map<string, ScheduledTask> | null = null;
  /** Resolved once and shared by every task without policies, group or source of its own. */
  private readonly defaultProfile: TaskProfile;

  constructor(
    private readonly policyDefaults: TaskPolicies | undefined,
    private readonly triggerDefaults: TriggerDefaults,
  ) {
    this.defaultProfile = {
      policies: resolvePolicies('AioClockModule taskDefaults', policyDefaults),
      group: null,
      source: undefined,
    };
  }

  /** Validates and adds a task; throws TaskDeclarationError or OptionValidationError. */
  add(definition: TaskDefinition): ScheduledTask {
    validateTaskDefinition(definition);
    const source = definition.source ?? definition.name;
    const existing = this.byName.get(definition.name);
    if (existing) {
      throw new TaskDeclarationError(
        messages.duplicateTaskName(definition.name, existing.source, source),
      );
    }
    this.assertUnclaimed(definition.trigger, source);
    const profile = this.profileOf(definition);
    this.prepareTrigger(definition.name, definition.trigger);
    const task = new ScheduledTask(definition, profile);
    this.byName.set(task.name, task);
    this.byId?.set(task.id, task);
    task.trigger.attach(task);
    return task;
  }

  /** Every task in registration order. */
  list(): ScheduledTask[] {
    return [...this.byName.values()];
  }

  /** Iterates the tasks in registration order without copying them. */
  values(): IterableIterator<ScheduledTask> {
    return this.byName.values();
  }

  /** Finds a task by name or id, or throws TaskNotFoundError. */
  get(idOrName: string): ScheduledTask {
    const task = this.byName.get(idOrName) ?? this.idIndex().get(idOrName);
    if (!task) throw new TaskNotFoundError(String(idOrName));
    return task;
  }

  /** Gives `task` a new trigger after the same checks as at registration. */
  replaceTrigger(task: ScheduledTask, trigger: BaseTrigger): void {
    if (trigger !== task.trigger) this.assertUnclaimed(trigger, task.source);
    this.prepareTrigger(task.name, trigger);
    task.trigger.detach(task);
    trigger.attach(task);
    task.trigger = trigger;
  }

  /** Rejects anything that is not a trigger, naming the task. */
  assertTrigger(taskName: string, trigger: BaseTrigger): void {
    if (typeof trigger?.getWaitingTimeTillNextTrigger !== 'function') {
      throw new TaskDeclarationError(
        `Task "${taskName}": the trigger is not a BaseTrigger (got ${String(trigger)})`,
      );
    }
  }

  private profileOf({ name, group, source, policies }: TaskDefinition): TaskProfile {
    const ownPolicies = hasOwnPolicies(policies);
    if (!ownPolicies && !group && !source) return this.defaultProfile;
    return {
      policies: ownPolicies
        ? resolvePolicies(`Task "${name}"`, this.policyDefaults, policies)
        : this.defaultProfile.policies,
      group: group || null,
      source: source || undefined,
    };
  }

  private idIndex(): Map<string, ScheduledTask> {
    return (this.byId ??= new Map([...this.byName.values()].map((task) => [task.id, task])));
  }

  /**
   * A trigger holds its schedule's state, so two tasks must not share one. Its owner in another
   * scheduler (an application closed or abandoned, as in tests) does not count: the newest takes it.
   */
  private assertUnclaimed(trigger: BaseTrigger, source: string): void {
    const owner = trigger.owner;
    if (owner === null) return;
    const task = this.byName.get(owner.name);
    if (task !== owner) return;
    throw new TaskDeclarationError(messages.sharedTrigger(task.source, source));
  }

  private prepareTrigger(taskName: string, trigger: BaseTrigger): void {
    this.assertTrigger(taskName, trigger);
    try {
      trigger.applyDefaults(this.triggerDefaults);
    } catch (error) {
      throw new TaskDeclarationError(`Task "${taskName}": ${(error as Error).message}`);
    }
  }
}

function hasOwnPolicies(policies: TaskPolicies | undefined): boolean {
  if (!policies) return false;
  for (const key in policies) {
    if ((policies as Record<string, unknown>)[key] !== undefined) return true;
  }
  return false;
}
