import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { TASK_GROUP_METADATA, TASK_METADATA } from './aioclock.constants.js';
import type { TaskDecoratorMetadata } from './decorators/task.decorator.js';
import type { TaskGroupMetadata } from './decorators/task-group.decorator.js';
import { TaskDeclarationError, messages } from './errors.js';
import type { TaskDefinition } from './runner/scheduled-task.js';
import type { TaskContext } from './runner/task-context.js';

/**
 * Finds every `@Task` method on providers and controllers through Nest's DiscoveryService and turns
 * it into a plain TaskDefinition. Registration is the scheduler's job, not this class's.
 */
@Injectable()
export class TaskExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  explore(): TaskDefinition[] {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    const definitions: TaskDefinition[] = [];
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as object | undefined;
      // The same instance can be reachable through several wrappers (aliases); schedule it once.
      if (instance && seen.has(instance)) continue;
      if (instance) seen.add(instance);
      definitions.push(...this.exploreWrapper(wrapper));
    }
    return definitions;
  }

  private exploreWrapper(wrapper: InstanceWrapper): TaskDefinition[] {
    const { instance, metatype } = wrapper;
    const prototype: object | undefined = instance
      ? Object.getPrototypeOf(instance)
      : metatype?.prototype;
    if (!prototype || typeof prototype !== 'object') return [];
    const methods = this.scanner
      .getAllMethodNames(prototype)
      .filter((method) => this.taskMetadata(prototype, method) !== undefined);
    if (methods.length === 0) return [];
    const hostName = (instance?.constructor ?? metatype)?.name ?? String(wrapper.token);
    if (wrapper.isTransient) {
      throw new TaskDeclarationError(messages.transientHost(hostName, methods[0]));
    }
    if (!wrapper.isDependencyTreeStatic()) {
      throw new TaskDeclarationError(messages.requestScopedHost(hostName, methods[0]));
    }
    const host = instance?.constructor ?? metatype;
    const group = host
      ? (Reflect.getMetadata(TASK_GROUP_METADATA, host) as TaskGroupMetadata | undefined)
      : undefined;
    return methods.map((method) => {
      const { trigger, options } = this.taskMetadata(prototype, method)!;
      const { name, disabled, initialDelay, ...policies } = options;
      const source = `${hostName}.${method}`;
      const fn = (instance as Record<string, (context: TaskContext) => unknown>)[method];
      return {
        name: name ?? (group ? `${group.name}.${method}` : source),
        group: group?.name ?? null,
        trigger,
        policies: stripUndefined(policies),
        groupPolicies: group?.defaults,
        ...(disabled === undefined ? {} : { disabled }),
        ...(initialDelay === undefined ? {} : { initialDelay }),
        source,
        handler: (context: TaskContext) => fn.call(instance, context),
      };
    });
  }

  private taskMetadata(prototype: object, method: string): TaskDecoratorMetadata | undefined {
    const fn = (prototype as Record<string, unknown>)[method];
    if (typeof fn !== 'function') return undefined;
    return Reflect.getMetadata(TASK_METADATA, fn) as TaskDecoratorMetadata | undefined;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
