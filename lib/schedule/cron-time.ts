import { optionError } from '../errors.js';
import { checkInteger } from '../utils/validation.js';
import type { BaseTrigger } from '../triggers/base.trigger.js';
import { Cron } from '../triggers/cron.trigger.js';
import { OnDate } from './on-date.trigger.js';

/**
 * When a cron job fires, as the `cron` package's `CronTime` says it: an expression (5 fields, or
 * 6 with seconds first) in a zone or at a UTC offset, or one `Date`. Validated on construction;
 * it makes a fresh trigger for each job it is given to.
 */
export class CronTime {
  readonly source: string | Date;
  /** The IANA zone; undefined: the module's `timeZone`, else the system's. */
  readonly timeZone: string | undefined;

  constructor(source: string | Date, timeZone?: string | null, utcOffset?: number | null) {
    this.source = source;
    this.timeZone = timeZone ?? (utcOffset == null ? undefined : zoneOfOffset(utcOffset));
    this.toTrigger(); // throws TriggerValidationError for a bad expression or zone
  }

  /** A new trigger for this time. */
  toTrigger(): BaseTrigger {
    if (this.source instanceof Date) return new OnDate(this.source);
    return new Cron(this.source, this.timeZone === undefined ? {} : { tz: this.timeZone });
  }

  toString(): string {
    return this.source instanceof Date ? this.source.toISOString() : this.source;
  }
}

/** The fixed-offset zone (`+05:30`) of an offset in minutes east of UTC, as the `cron` package takes it. */
function zoneOfOffset(offset: number): string {
  // Minutes within 14 hours of UTC: the range of real offsets.
  checkInteger(optionError('CronTime'), 'utcOffset', offset, { min: -840, max: 840 });
  const minutes = Math.abs(offset);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
