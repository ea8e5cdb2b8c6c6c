import type { Subscription } from 'rxjs';
import type { RunRecord } from '../runner/run-record.js';
import type { SchedulerEvent } from '../runner/scheduler-events.js';
import type { TaskMetadata } from '../runner/task-metadata.js';
import type { TaskRegistry } from '../task.registry.js';
import { toTimelineRun, type TimelineRun, type TimelineView } from './dashboard.views.js';

/** Runs kept per task for the timeline. */
const RUNS_KEPT = 50;
/** Store reads in flight at once while the first overview seeds the timeline from history. */
const SEED_CONCURRENCY = 8;
/** Runs closer than this share of the window merge into one bar: the chart cannot tell them apart. */
const MERGE_FRACTION = 1 / 400;

/** The last runs of one task, oldest first. */
type Ring = TimelineRun[];

function keep(ring: Ring, run: TimelineRun): void {
  if (ring.some((kept) => kept.runId === run.runId && kept.attempt === run.attempt)) return;
  let at = ring.length;
  while (at > 0 && ring[at - 1].end > run.end) at--;
  ring.splice(at, 0, run);
  if (ring.length > RUNS_KEPT) ring.shift();
}

/** Consecutive runs of one status, nearer than `gap`, as one bar that says how many it holds. */
function merge(runs: TimelineRun[], gap: number): TimelineRun[] {
  const bars: TimelineRun[] = [];
  for (const run of runs) {
    const last = bars.at(-1);
    const start = run.start ?? run.end;
    if (last && last.status === run.status && start - last.end <= gap) {
      bars[bars.length - 1] = {
        ...run,
        start: last.start ?? last.end,
        count: (last.count ?? 1) + 1,
      };
    } else bars.push(run);
  }
  return bars;
}

function recordOf(event: SchedulerEvent): RunRecord | null {
  return 'record' in event ? event.record : null;
}

/**
 * The timeline's runs, kept from the scheduler's events in a bounded ring per task, so that an
 * overview costs no store round trip per task: each task's ring is seeded once from its history
 * (runs from before the dashboard started, or by other replicas until then), then follows events.
 */
export class TimelineRecorder {
  private readonly rings = new Map<string, Ring>();
  private readonly seeded = new Set<string>();
  private readonly subscription: Subscription;

  constructor(
    private readonly registry: TaskRegistry,
    /** Called on events that change what a task is (pause, resume, removal, new trigger). */
    onControl: () => void,
  ) {
    this.subscription = registry.events$.subscribe((event) => {
      const record = recordOf(event);
      if (record !== null) {
        const run = toTimelineRun(record, -Infinity);
        if (run !== null) keep(this.ringOf(event.taskId), run);
      } else if (event.type === 'removed') {
        this.rings.delete(event.taskId);
        this.seeded.delete(event.taskId);
        onControl();
      } else if (
        event.type === 'paused' ||
        event.type === 'resumed' ||
        event.type === 'rescheduled'
      )
        onControl();
    });
  }

  /** The rows of `tasks` within `[from, to]`, reading history only for tasks not seen before. */
  async view(tasks: TaskMetadata[], from: number, to: number): Promise<TimelineView> {
    await this.seed(tasks.filter((task) => !this.seeded.has(task.id)));
    const gap = (to - from) * MERGE_FRACTION;
    const rows = tasks.map((task) => {
      const runs = (this.rings.get(task.id) ?? []).filter((run) => run.end >= from);
      return { taskId: task.id, taskName: task.name, runs: merge(runs, gap) };
    });
    return { from, to, rows };
  }

  /** Stops following events. */
  close(): void {
    this.subscription.unsubscribe();
    this.rings.clear();
  }

  private ringOf(taskId: string): Ring {
    let ring = this.rings.get(taskId);
    if (!ring) this.rings.set(taskId, (ring = []));
    return ring;
  }

  private async seed(tasks: TaskMetadata[]): Promise<void> {
    tasks.forEach((task) => this.seeded.add(task.id));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks.length) {
        const task = tasks[next++];
        // A store that does not answer leaves the ring to events; the next overview is not held up.
        const history = await this.registry
          .getHistory(task.name, { limit: RUNS_KEPT })
          .catch(() => [] as RunRecord[]);
        const ring = this.ringOf(task.id);
        for (const record of history.reverse()) {
          const run = toTimelineRun(record, -Infinity);
          if (run !== null && record.taskId === task.id) keep(ring, run);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEED_CONCURRENCY, tasks.length) }, worker));
  }
}
