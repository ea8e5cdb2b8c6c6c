import { SCHEDULE_TIMEOUT_METADATA } from '../schedule.constants.js';
import { delayMetadata } from './interval.decorator.js';

/** Runs the method once, `ms` after the application starts. */
export function Timeout(ms: number): MethodDecorator;
/** The same, named `name` in the SchedulerRegistry. */
export function Timeout(name: string, ms: number): MethodDecorator;
export function Timeout(nameOrMs: string | number, ms?: number): MethodDecorator {
  const metadata = delayMetadata(nameOrMs, ms);
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(SCHEDULE_TIMEOUT_METADATA, metadata, descriptor.value as object);
    return descriptor;
  };
}
