import type { JsonValue, TriggerDescription } from '../triggers/base.trigger.js';

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1_000],
];

/** A duration in words, largest units first: 90000 -> "1 min 30 s", 250 -> "250 ms". */
export function describeDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${unit}`);
      rest -= count * size;
    }
  }
  // Sub-second remainders of longer intervals (1.5 s) read better as a fraction of a second.
  if (rest > 0)
    return ms < 60_000 ? `${ms / 1_000} s` : `${parts.join(' ')} ${Math.round(rest)} ms`;
  return parts.join(' ');
}

const pad = (value: JsonValue): string => String(value).padStart(2, '0');

/** The zone a wall-clock trigger reads, in brackets: its own tz, else the task's (the module's). */
function zoneSuffix(description: TriggerDescription, timeZone: string | null): string {
  const zone = typeof description.tz === 'string' ? description.tz : timeZone;
  return zone ? ` (${zone})` : '';
}

function loopSuffix(description: TriggerDescription): string {
  const max = description.maxLoopCount;
  return typeof max === 'number' ? `, at most ${max} ${max === 1 ? 'time' : 'times'}` : '';
}

function describeEvery(description: TriggerDescription): string {
  const ms = Number(description.intervalMs);
  const notes: string[] = [];
  if (description.anchor === 'start') notes.push('fixed rate');
  if (description.firstRunStrategy === 'immediate') notes.push('first run at once');
  const base = ms === 0 ? 'back to back' : `every ${describeDuration(ms)}`;
  return `${base}${notes.length ? ` (${notes.join(', ')})` : ''}${loopSuffix(description)}`;
}

function describeAt(description: TriggerDescription, timeZone: string | null): string {
  const { hour, minute, second } = description;
  const time = `${pad(hour)}:${pad(minute)}${second ? `:${pad(second)}` : ''}`;
  return `${String(description.at)} at ${time}${zoneSuffix(description, timeZone)}${loopSuffix(description)}`;
}

/** Fields of an unknown trigger, as `key=value` pairs, so a custom trigger still reads. */
function describeFields(description: TriggerDescription): string {
  const fields = Object.entries(description)
    .filter(([key, value]) => key !== 'type' && value !== null)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`);
  return fields.length ? `${description.type} ${fields.join(', ')}` : description.type;
}

/**
 * A trigger's description in words for the dashboard: "every 5 s", "cron 0 * * * *
 * (Europe/Berlin)", "every monday at 09:30 (UTC)". `timeZone` is the task's zone (metadata
 * `timeZone`), shown for wall-clock triggers without their own `tz`. Unknown triggers are shown by
 * type and fields.
 */
export function describeTrigger(
  description: TriggerDescription,
  timeZone: string | null = null,
): string {
  if (description.describeFailed === true) return `${description.type} (describe() failed)`;
  switch (description.type) {
    case 'Every':
      return describeEvery(description);
    case 'Cron':
      return `cron ${String(description.expression)}${zoneSuffix(description, timeZone)}${loopSuffix(description)}`;
    case 'At':
      return describeAt(description, timeZone);
    case 'Once':
      return 'once, at start';
    case 'Forever':
      return 'forever, back to back';
    case 'OnStartUp':
      return 'at startup';
    case 'OnShutDown':
      return 'at shutdown';
    case 'Interval':
      return `every ${describeDuration(Number(description.ms))} (@Interval)`;
    case 'Timeout':
      return `once after ${describeDuration(Number(description.ms))} (@Timeout)`;
    case 'OnDate':
      return `once at ${String(description.at)}`;
    case 'OrTrigger': {
      const children = Array.isArray(description.triggers) ? description.triggers : [];
      const parts = children.map((child) => describeTrigger(child as TriggerDescription, timeZone));
      return `any of: ${parts.join('; ')}${loopSuffix(description)}`;
    }
    default:
      return describeFields(description);
  }
}
