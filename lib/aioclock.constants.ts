/** Reflect-metadata key of a `@Task` method. */
export const TASK_METADATA = 'aioclock:task';
/** Reflect-metadata key of a `@TaskGroup` class. */
export const TASK_GROUP_METADATA = 'aioclock:task-group';
/** Logger context of the module. */
export const AIOCLOCK_LOGGER_CONTEXT = 'AioClock';
