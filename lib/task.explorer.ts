import { Injectable } from '@nestjs/common';
import { TASK_GROUP_METADATA, TASK_METADATA } from './aioclock.constants.js';
import { DecoratedMethods } from './decorated-methods.js';
import type { TaskDecoratorMetadata } from './decorators/task.decorator.js';
import type { TaskGroupMetadata } from './decorators/task-group.decorator.js';
import type { TaskDefinition } from './runner/scheduled-task.js';
import type { TaskContext } from './runner/task-context.js';

/**
 * Turns every `@Task` method on providers and controllers into a plain TaskDefinition.
 * Registration is the scheduler's job, not this class's.
 */
@Injectable()
export class TaskExplorer {
  constructor(private readonly methods: DecoratedMethods) {}

  explore(): TaskDefinition[] {
    return this.methods
      .find([TASK_METADATA])
      .map(({ instance, host, hostName, method, metadata }) => {
        const { trigger, options } = metadata.get(TASK_METADATA) as TaskDecoratorMetadata;
        const group = Reflect.getMetadata(TASK_GROUP_METADATA, host) as
          TaskGroupMetadata | undefined;
        const { name, disabled, initialDelay, coordination, critical, ...policies } = options;
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
          ...(coordination === undefined ? {} : { coordination }),
          ...(critical === undefined ? {} : { critical }),
          source,
          handler: (context: TaskContext) => fn.call(instance, context),
        };
      });
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
