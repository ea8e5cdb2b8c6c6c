import type { ObserveMode } from '../observability.js';
import type { SchedulerAdapter } from './scheduler-adapter.js';

/** Ids of the libraries (and configurations of ours) a child process can run. */
export type AdapterId = 'ours' | 'ours-fixed-rate' | 'ours-compat' | 'nestjs-schedule' | 'toad';

/** Short column headings, so that a table with ratios fits in 120 columns. */
export const SHORT_NAMES: Record<AdapterId, string> = {
  ours: 'ours',
  'ours-fixed-rate': 'ours-rate',
  'ours-compat': 'compat',
  'nestjs-schedule': 'nest',
  toad: 'toad',
};

/** Our configurations, whose figures are divided by each peer's. */
export const OUR_IDS: readonly AdapterId[] = ['ours', 'ours-fixed-rate', 'ours-compat'];

/**
 * Imports only the library under test (`observe`: which of our integrations `ours` boots with), so that a child process holds one scheduler's code and
 * its memory baseline is that library's alone.
 */
export async function loadAdapter(
  id: AdapterId,
  observe: ObserveMode = 'off',
): Promise<SchedulerAdapter> {
  switch (id) {
    case 'ours':
      return (await import('./aioclock.adapter.js')).aioClockAdapter('end', observe);
    case 'ours-fixed-rate':
      return (await import('./aioclock.adapter.js')).aioClockAdapter('start');
    case 'ours-compat':
      return (await import('./compat.adapter.js')).compatAdapter;
    case 'nestjs-schedule':
      return (await import('./nestjs-schedule.adapter.js')).nestScheduleAdapter;
    case 'toad':
      return (await import('./toad.adapter.js')).toadAdapter;
  }
}
