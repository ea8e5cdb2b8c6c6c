import { SCHEDULE_INTERVAL_METADATA } from '../schedule.constants.js';

/** What `@Interval` and `@Timeout` record on a method. */
export interface DelayMetadata {
  name: string | undefined;
  ms: number;
}

/** Reads the `(ms)` or `(name, ms)` arguments of `@Interval` and `@Timeout`. */
export function delayMetadata(nameOrMs: string | number, ms?: number): DelayMetadata {
  return typeof nameOrMs === 'string'
    ? { name: nameOrMs, ms: ms as number }
    : { name: undefined, ms: nameOrMs };
}

/** Runs the method every `ms` at a fixed rate, as `setInterval` would (runs may overlap). */
export function Interval(ms: number): MethodDecorator;
/** The same, named `name` in the SchedulerRegistry. */
export function Interval(name: string, ms: number): MethodDecorator;
export function Interval(nameOrMs: string | number, ms?: number): MethodDecorator {
  const metadata = delayMetadata(nameOrMs, ms);
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(SCHEDULE_INTERVAL_METADATA, metadata, descriptor.value as object);
    return descriptor;
  };
}
