import { At, type AtSchedule } from './at.trigger.js';
import type { BaseTrigger, JsonValue, TriggerDescription } from './base.trigger.js';
import { Cron } from './cron.trigger.js';
import { Every } from './every.trigger.js';
import { Forever } from './forever.trigger.js';
import { Once } from './once.trigger.js';
import { OrTrigger } from './or.trigger.js';

/**
 * Builds a built-in trigger (Every, At, Once, Forever, Cron, OrTrigger) again from its
 * `describe()` data: how a trigger set on one replica travels to the others. Null for anything
 * else (a custom trigger's description says too little to rebuild it).
 */
export function rebuildTrigger(description: TriggerDescription): BaseTrigger | null {
  const loop = optionalNumber(description.maxLoopCount);
  switch (description.type) {
    case 'Every':
      return new Every({
        // intervalMs is exact; the unit field beside it is only for reading.
        seconds: Number(description.intervalMs) / 1_000,
        firstRunStrategy: description.firstRunStrategy as 'wait' | 'immediate',
        anchor: description.anchor as 'end' | 'start',
        maxLoopCount: loop,
      });
    case 'At':
      return new At({
        at: description.at as AtSchedule,
        hour: Number(description.hour),
        minute: Number(description.minute),
        second: Number(description.second),
        tz: optionalString(description.tz),
        maxLoopCount: loop,
      });
    case 'Cron':
      return new Cron(String(description.expression), {
        tz: optionalString(description.tz),
        maxLoopCount: loop,
      });
    case 'Once':
      return new Once();
    case 'Forever':
      return new Forever();
    case 'OrTrigger': {
      const children = Array.isArray(description.triggers) ? description.triggers : [];
      const rebuilt = children.map((child) => rebuildTrigger(child as TriggerDescription));
      if (rebuilt.some((child) => child === null)) return null;
      return new OrTrigger(rebuilt as BaseTrigger[], { maxLoopCount: loop });
    }
    default:
      return null;
  }
}

const BUILT_IN: ReadonlySet<unknown> = new Set([Every, At, Cron, Once, Forever, OrTrigger]);

/**
 * Whether `trigger` rebuilt from its description is the same schedule: a built-in class itself
 * (a subclass may plan differently under the same description), OrTrigger children alike, and a
 * description that comes back unchanged.
 */
export function isRebuildable(trigger: BaseTrigger): boolean {
  const sameClasses = trigger.components().every((part) => BUILT_IN.has(part.constructor));
  if (!sameClasses) return false;
  try {
    const description = trigger.describe();
    const rebuilt = rebuildTrigger(description);
    return rebuilt !== null && JSON.stringify(rebuilt.describe()) === JSON.stringify(description);
  } catch {
    return false;
  }
}

function optionalNumber(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function optionalString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
