import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

/** One task's series: counts per bucket (not cumulative), sum and count. */
interface Series {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

type Value = MetricValueWithName<'task' | 'le'>;

/**
 * A histogram labelled by task, registered in a prom-client Registry and scraped like its own
 * Histogram (same `get()` shape, `_bucket`/`_sum`/`_count` series). It exists for the hot path:
 * prom-client's `observe(labels, value)` builds a label hash string and objects on every call,
 * which costs more than a whole run of a no-op task; `observe(task, value)` here allocates nothing.
 */
export class TaskHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** Adds one observation (seconds) to the task's series. */
  observe(task: string, value: number): void {
    let series = this.series.get(task);
    if (series === undefined) {
      series = { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.series.set(task, series);
    }
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]) bucket++;
    series.counts[bucket]++;
    series.sum += value;
    series.count++;
  }

  /** Forgets a task's series (the task was removed). */
  remove(task: string): void {
    this.series.delete(task);
  }

  /** What prom-client's registry reads at scrape time. */
  get(): Promise<MetricObjectWithValues<Value>> {
    const values: Value[] = [];
    for (const [task, { counts, sum, count }] of this.series) {
      let cumulative = 0;
      this.bounds.forEach((le, index) => {
        cumulative += counts[index];
        values.push({ metricName: `${this.name}_bucket`, labels: { le, task }, value: cumulative });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { le: '+Inf', task },
        value: count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: { task }, value: sum });
      values.push({ metricName: `${this.name}_count`, labels: { task }, value: count });
    }
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values } as never);
  }

  /** Forgets every series (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.series.clear();
  }
}
