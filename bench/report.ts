/** Statistics of lateness samples (ms). */
export interface LatenessStats {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Sorts the samples in place and summarises them. */
export function summarize(samples: Float64Array): LatenessStats {
  samples.sort();
  let sum = 0;
  for (const value of samples) sum += value;
  return {
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: samples.length === 0 ? NaN : samples[samples.length - 1],
    mean: samples.length === 0 ? NaN : sum / samples.length,
    count: samples.length,
  };
}

/** How a row prints its numbers. */
export type Unit = 'ms' | 'count' | 'bytes' | 'percent' | 'ratio';

/** One metric: a label, one value per library column, and how to print them. */
export interface MetricRow {
  label: string;
  unit: Unit;
  values: number[];
}

/** Columns of a comparison table: libraries, and which pairs to divide (ours / peer). */
export interface TableLayout {
  libraries: string[];
  ratios: { label: string; ours: number; peer: number }[];
}

function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ms':
      return value.toFixed(Math.abs(value) >= 100 ? 0 : 2);
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'bytes':
      return Math.round(value).toLocaleString('en-US');
    case 'percent':
    case 'ratio':
      return value.toFixed(2);
  }
}

/** ours / peer, or a dash when the peer's value is zero or missing. */
export function formatRatio(ours: number, peer: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0) return '—';
  return `${(ours / peer).toFixed(2)}x`;
}

/** A fixed-width text table: one column per library, then one per ratio. */
export function formatTable(title: string, layout: TableLayout, rows: MetricRow[]): string {
  const header = ['', ...layout.libraries, ...layout.ratios.map((ratio) => ratio.label)];
  const body = rows.map((row) => [
    row.label,
    ...row.values.map((value) => formatValue(value, row.unit)),
    ...layout.ratios.map((ratio) => formatRatio(row.values[ratio.ours], row.values[ratio.peer])),
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((cells) => cells[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]),
      )
      .join('  ');
  const rule = '-'.repeat(widths.reduce((sum, width) => sum + width + 2, -2));
  return [`\n${title}`, rule, line(header), rule, ...body.map(line), rule].join('\n');
}

/** A target's verdict, one line, easy to grep. */
export function formatCheck(passed: boolean, text: string): string {
  return `${passed ? 'PASS' : 'FAIL'}  ${text}`;
}
