import { formatCheck, formatTable, type MetricRow } from '../report.js';
import type { LatenessConfig } from './bench-config.js';
import { runIsolated } from './child-process.js';
import type { LatenessArgs, LatenessResult } from './lateness.scenario.js';
import type { ObserveMode } from './observability.js';

const LATENESS_SCRIPT = new URL('./lateness.scenario.ts', import.meta.url);

const MODES: ObserveMode[] = [
  'off',
  'metrics',
  'tracing',
  'both',
  'both-sampled-out',
  'both-recording',
];

/** The target (issue 12): metrics + tracing add at most this much main-thread CPU per run. */
const ADDED_BUDGET_US = 1;

/** Main-thread CPU per run (µs) of one child, or NaN where /proc is missing. */
function cpuPerRun(result: LatenessResult, windowMs: number): number {
  if (result.mainThreadCpuPercent < 0 || result.count === 0) return NaN;
  return ((result.mainThreadCpuPercent / 100) * windowMs * 1_000) / result.count;
}

/**
 * Section 6: the interval scenario (`ours`, default fixed delay) with our metrics and tracing on
 * and off. Each mode runs `repeats` times, interleaved, in a fresh child; the lowest figure of each
 * is kept, since on a shared machine interference only ever adds CPU time.
 */
export async function observabilitySection(
  scenario: LatenessConfig,
  repeats: number,
  progress: (text: string) => void,
): Promise<string[]> {
  const windowMs = scenario.seconds * 1_000;
  const figures = new Map<ObserveMode, number[]>(MODES.map((mode) => [mode, []]));
  for (let round = 1; round <= repeats; round++) {
    for (const observe of MODES) {
      progress(`observability, ${observe} (${round}/${repeats})`);
      const args: LatenessArgs = { ...scenario, adapter: 'ours', kind: 'interval', observe };
      const result = await runIsolated<LatenessResult>(LATENESS_SCRIPT, args);
      figures.get(observe)!.push(cpuPerRun(result, windowMs));
    }
  }
  const best = (mode: ObserveMode) => Math.min(...figures.get(mode)!);
  const off = best('off');
  const rows: MetricRow[] = [
    { label: 'main-thread CPU per run (µs)', unit: 'ratio', values: MODES.map(best) },
    { label: 'added per run vs off (µs)', unit: 'ratio', values: MODES.map((m) => best(m) - off) },
    {
      label: 'spread of the repeats (µs)',
      unit: 'ratio',
      values: MODES.map((m) => Math.max(...figures.get(m)!) - best(m)),
    },
  ];
  console.log(
    formatTable(
      `5. Observability cost: interval scenario (${scenario.tasks.toLocaleString('en-US')} tasks ` +
        `every ${scenario.intervalMs} ms, ${scenario.seconds} s), lowest of ${repeats} runs per mode`,
      { libraries: MODES, ratios: [] },
      rows,
    ),
  );
  console.log(
    [
      'off = ours alone; metrics = + AioClockMetricsModule; tracing = + AioClockTracingHook, no SDK',
      '  registered; both = metrics + tracing, no SDK; both-sampled-out = + an SDK (BasicTracerProvider,',
      '  AsyncLocalStorage context manager) that samples nothing; both-recording = + the same SDK',
      '  recording every run (BatchSpanProcessor, an exporter that drops spans): the SDK, not us, pays',
      '  most of that one. Checked: both, the cost of turning both integrations on.',
    ].join('\n'),
  );
  const added = best('both') - off;
  return [
    formatCheck(
      added <= ADDED_BUDGET_US,
      `observability: metrics + tracing add ${added.toFixed(2)} µs of main-thread CPU per run ` +
        `<= ${ADDED_BUDGET_US} µs (off ${off.toFixed(2)} µs/run; both ${best('both').toFixed(2)})`,
    ),
  ];
}
