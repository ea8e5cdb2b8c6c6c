import { TaskDeclarationError, TaskNotFoundError, messages, optionError } from '../errors.js';
import type { BaseTrigger } from '../triggers/base.trigger.js';
import { CalendarTrigger } from '../triggers/calendar-trigger.js';
import { isRebuildable } from '../triggers/trigger-rebuild.js';
import { Cron } from '../triggers/cron.trigger.js';
import type { TriggerDefaults, TriggerState } from '../triggers/trigger-state.js';
import { ScheduledTask, type TaskDefinition, type TaskProfile } from './scheduled-task.js';
import { checkTrigger, validateTaskDefinition } from './task-definition.js';
import { resolvePolicies, type TaskPolicies } from './task-policies.js';
import { taskIdFromName } from './task-id.js';

/**
 * The registered tasks of one scheduler: validates each definition (unique name, a trigger of its
 * own, valid policies and zone), makes its trigger state, and finds tasks by name or id. Knows
 * nothing of time or runs.
 */
export class TaskCatalog {
  /** In registration order (a Map keeps insertion order). */
  private readonly byName = new Map<string, ScheduledTask>();
  /** Built on the first lookup by id: ids cost a hash each, and most apps look up by name. */
  private byId: Map<string, ScheduledTask> | null = null;
  /** Names of removed tasks and their ids, so their history stays readable. */
  private readonly removedIds = new Map<string, string>();
  /** Which task each trigger (OrTrigger children included) belongs to in this scheduler. */
  private readonly owners = new Map<BaseTrigger, ScheduledTask>();
  /** Resolved once and shared by every task without policies, group or source of its own. */
  private readonly defaultProfile: TaskProfile;

  constructor(
    private readonly policyDefaults: TaskPolicies | undefined,
    private readonly triggerDefaults: TriggerDefaults,
    /** Cluster mode: wall-clock triggers need a zone given, not the system's. */
    private readonly requireZone = false,
  ) {
    this.defaultProfile = {
      policies: resolvePolicies('AioClockModule taskDefaults', policyDefaults),
      group: null,
      source: undefined,
      initialDelay: 0,
      local: false,
      critical: null,
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
    this.assertUnclaimed(definition.trigger, source, null);
    if (definition.coordination !== 'local')
      this.assertZoneGiven(definition.name, definition.trigger);
    const profile = this.profileOf(definition);
    const state = this.createState(definition.name, definition.trigger);
    const task = new ScheduledTask(definition, profile, state);
    this.byName.set(task.name, task);
    this.removedIds.delete(task.name);
    this.byId?.set(task.id, task);
    this.claim(task, task.trigger);
    return task;
  }

  /** How many tasks are registered. */
  get size(): number {
    return this.byName.size;
  }

  /** Every task in registration order. */
  list(): ScheduledTask[] {
    return [...this.byName.values()];
  }

  /** Iterates the tasks in registration order without copying them. */
  values(): IterableIterator<ScheduledTask> {
    return this.byName.values();
  }

  /** Whether a task has this id or name. */
  has(idOrName: string): boolean {
    return this.byName.has(idOrName) || this.idIndex().has(idOrName);
  }

  /**
   * Removes a task: its name is free again and its triggers may be used by another task. Its id
   * is remembered, so its history stays readable by name.
   */
  remove(task: ScheduledTask): void {
    this.byName.delete(task.name);
    this.byId?.delete(task.id);
    for (const part of task.trigger.components()) this.owners.delete(part);
    this.removedIds.set(task.name, task.id);
  }

  /** The id of a task, present or removed, by id or name; throws TaskNotFoundError if none. */
  idOf(idOrName: string): string {
    const removed = this.removedIds.get(idOrName);
    if (removed !== undefined && !this.byName.has(idOrName)) return removed;
    return this.get(idOrName).id;
  }

  /** Finds a task by name or id, or throws TaskNotFoundError. */
  get(idOrName: string): ScheduledTask {
    const task = this.byName.get(idOrName) ?? this.idIndex().get(idOrName);
    if (!task) throw new TaskNotFoundError(String(idOrName));
    return task;
  }

  /** Gives `task` a new trigger, with a fresh state, after the same checks as at registration. */
  replaceTrigger(
    task: ScheduledTask,
    trigger: BaseTrigger,
    state: TriggerState = this.checkReplacement(task, trigger),
  ): void {
    for (const part of task.trigger.components()) this.owners.delete(part);
    task.trigger = trigger;
    task.triggerState = state;
    this.claim(task, trigger);
  }

  /**
   * Checks that `trigger` may replace the task's and answers its fresh state; throws naming the
   * task. In a cluster the trigger must also travel to the other replicas as its description.
   */
  checkReplacement(task: ScheduledTask, trigger: BaseTrigger): TriggerState {
    checkTrigger(optionError(`Task "${task.name}"`), 'trigger', trigger);
    if (task.phase !== 'scheduled' || trigger.phase !== 'scheduled') {
      throw new TaskDeclarationError(messages.setTriggerPhase(task.name));
    }
    this.assertUnclaimed(trigger, task.source, task);
    if (this.requireZone && !isRebuildable(trigger)) {
      const type = trigger.constructor?.name ?? 'Trigger';
      throw new TaskDeclarationError(messages.triggerNotRebuildable(task.name, type));
    }
    this.assertZoneGiven(task.name, trigger);
    return this.createState(task.name, trigger);
  }

  /** In a cluster, replicas must read wall-clock times in one zone: the system's may differ. */
  private assertZoneGiven(taskName: string, trigger: BaseTrigger): void {
    if (!this.requireZone || this.triggerDefaults.timeZone !== undefined) return;
    const zoneless = trigger
      .components()
      .some((part) => part instanceof CalendarTrigger && part.tz === undefined);
    if (zoneless) throw new TaskDeclarationError(messages.clusterNeedsZone(taskName));
  }

  private createState(taskName: string, trigger: BaseTrigger): TriggerState {
    // Cron `H` is seeded with the task id, so a task picks the same values on every replica and
    // every restart (Jenkins' meaning of H); the id costs a hash, spent only where H is used.
    const hashed = trigger.components().some((part) => part instanceof Cron && part.hashed);
    const defaults = hashed
      ? { ...this.triggerDefaults, seed: taskIdFromName(taskName) }
      : this.triggerDefaults;
    try {
      return trigger.createState(defaults);
    } catch (error) {
      throw new TaskDeclarationError(`Task "${taskName}": ${(error as Error).message}`);
    }
  }

  private profileOf(definition: TaskDefinition): TaskProfile {
    const { name, group, source, policies, groupPolicies, initialDelay = 0 } = definition;
    const local = definition.coordination === 'local';
    const critical = resolveCritical(definition.critical);
    const ownPolicies = hasOwnPolicies(policies) || hasOwnPolicies(groupPolicies);
    if (!ownPolicies && !group && !source && !initialDelay && !local && !critical) {
      return this.defaultProfile;
    }
    return {
      policies: ownPolicies
        ? resolvePolicies(`Task "${name}"`, this.policyDefaults, groupPolicies, policies)
        : this.defaultProfile.policies,
      group: group || null,
      source: source || undefined,
      initialDelay,
      local,
      critical,
    };
  }

  private idIndex(): Map<string, ScheduledTask> {
    return (this.byId ??= new Map([...this.byName.values()].map((task) => [task.id, task])));
  }

  /** One trigger instance, or any of its OrTrigger children, belongs to one task of a scheduler. */
  private assertUnclaimed(trigger: BaseTrigger, source: string, self: ScheduledTask | null): void {
    for (const part of trigger.components()) {
      const owner = this.owners.get(part);
      if (owner !== undefined && owner !== self) {
        throw new TaskDeclarationError(messages.sharedTrigger(owner.source, source));
      }
    }
  }

  private claim(task: ScheduledTask, trigger: BaseTrigger): void {
    for (const part of trigger.components()) this.owners.set(part, task);
  }
}

function hasOwnPolicies(policies: TaskPolicies | undefined): boolean {
  if (!policies) return false;
  for (const key in policies) {
    if ((policies as Record<string, unknown>)[key] !== undefined) return true;
  }
  return false;
}

/** `critical` as the profile keeps it: null, or the period (null: derived from the trigger). */
function resolveCritical(critical: TaskDefinition['critical']): TaskProfile['critical'] {
  if (critical === undefined || critical === false) return null;
  return { within: critical === true ? null : (critical.within ?? null) };
}
