import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';
import type { LedgerLine, ReplicaCommand, ReplicaReply } from './replica.js';

/** A command without its id: ReplicaProcess.command() numbers it. */
type CommandOf<C> = C extends ReplicaCommand ? Omit<C, 'id'> : never;

// The scenario harness of cluster mode: replicas as child processes (replica.ts), each run appended
// to one ledger file, then the ledger judged per (task, nominal time). Scenarios drive replicas
// with start / stop / kill / pause / resume; scenario.ts has what the specs share (both stores
// side by side, figures, the stores' history and clock).

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const HARNESS = 'test/cluster/harness';

let built: Promise<string> | undefined;

/**
 * Compiles lib/ and the harness once into a temporary directory, and answers the replica entry
 * there. Plain `node` on JavaScript boots a replica in about a second; `--import
 * @swc-node/register` compiled the same files again in every process, about three times slower on
 * a loaded 2-core box, and scenarios start 6 replicas at once. Removed by removeBuild().
 */
export function buildReplica(): Promise<string> {
  built ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'aioclock-harness-build-'));
    // Packages resolve from the build through this link; the package.json makes the .js files ESM.
    symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
    const files = [...walk(join(ROOT, 'lib')), ...walk(join(ROOT, HARNESS))];
    await Promise.all(
      files.map(async (file) => {
        const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(target), { recursive: true });
        if (file.endsWith('.js')) return copyFileSync(file, target);
        // The options of jest.config.ts: Nest needs legacy decorators and their metadata.
        const { code } = await transformFile(file, {
          jsc: {
            target: 'es2022',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
          },
          module: { type: 'es6' },
        });
        writeFileSync(target, code);
      }),
    );
    return join(out, HARNESS, 'replica.js');
  })();
  return built;
}

/** Removes the build of buildReplica(), if any. */
export async function removeBuild(): Promise<void> {
  const entry = await built?.catch(() => undefined);
  built = undefined;
  if (entry !== undefined) rmSync(join(entry, '../../../..'), { recursive: true, force: true });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Where the replicas coordinate: a store kind, its URL and this scenario's prefix or schema. */
export interface StoreTarget {
  store: 'redis' | 'postgres';
  url: string;
  /** Redis key prefix or PostgreSQL schema, own to the scenario. */
  namespace: string;
}

/** What one replica runs: how many cron tasks, and how far its Date is off the real clock. */
export interface ReplicaOptions {
  tasks: number;
  clockOffsetMs?: number;
  /** The cron tasks' expression (UTC); default every second. */
  cron?: string;
  /** Adds the `Forever` task `leader`, run under a lease. */
  forever?: boolean;
  /** cluster.leaseTtl (ms); the library's default when left out. */
  leaseTtlMs?: number;
  /**
   * Loads, but starts the application only at release(): start() then returns once the replica
   * has loaded, not once it is ready.
   */
  held?: boolean;
  /** Opens an IPC channel for command(): the harness drives the replica's registry. */
  control?: boolean;
}

/** A replica process: signals to stop, kill, freeze and thaw it, and commands to its registry. */
export class ReplicaProcess {
  readonly exited: Promise<number | string>;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<
    number,
    { resolve(reply: ReplicaReply): void; reject(error: Error): void }
  >();
  private commands = 0;

  constructor(
    readonly name: string,
    entry: string,
    target: StoreTarget,
    options: ReplicaOptions,
    readonly ledger: string,
    logFile: string,
  ) {
    const log = openSync(logFile, 'a');
    this.child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      stdio: options.control ? ['ignore', log, log, 'ipc'] : ['ignore', log, log],
      env: {
        ...process.env,
        // jest's NODE_OPTIONS (--experimental-vm-modules) would only add warnings here.
        NODE_OPTIONS: '',
        NO_COLOR: '1',
        REPLICA: name,
        STORE: target.store,
        STORE_URL: target.url,
        STORE_NAMESPACE: target.namespace,
        TASKS: String(options.tasks),
        LEDGER: ledger,
        CLOCK_OFFSET_MS: String(options.clockOffsetMs ?? 0),
        CRON: options.cron ?? '* * * * * *',
        FOREVER: options.forever ? '1' : '0',
        LEASE_TTL: options.leaseTtlMs === undefined ? '' : String(options.leaseTtlMs),
        HOLD: options.held ? '1' : '0',
      },
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        // A command it never answered fails now, naming the replica, not at the test's timeout.
        const why = `replica ${name} exited (${String(signal ?? code)}) before it answered`;
        for (const { reject } of this.waiting.values()) reject(new Error(why));
        this.waiting.clear();
        resolve(signal ?? code ?? 'unknown');
      }),
    );
    this.child.on('message', (reply: ReplicaReply) => {
      this.waiting.get(reply.id)?.resolve(reply);
      this.waiting.delete(reply.id);
    });
  }

  /**
   * Has the replica carry out a command on its registry (a replica started with `control`);
   * resolves with its answer, once the registry's promise settled there.
   */
  command(command: CommandOf<ReplicaCommand>): Promise<ReplicaReply> {
    const id = ++this.commands;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...command, id } as ReplicaCommand, (error) => error && reject(error));
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM: the replica closes its app (drains runs) and exits; resolves with its exit code. */
  stop(): Promise<number | string> {
    if (this.alive) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** SIGKILL: gone at once, mid-run or not. */
  kill(): Promise<number | string> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** A held replica (loaded) starts its application now. */
  release(): void {
    this.child.kill('SIGUSR2');
  }

  /** SIGSTOP: frozen, its timers and connections with it. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  /** SIGCONT: thawed. */
  resume(): void {
    this.child.kill('SIGCONT');
  }
}

/** A set of replicas sharing one ledger file in a temporary directory of their own. */
export class ReplicaSet {
  readonly dir = mkdtempSync(join(tmpdir(), 'aioclock-harness-'));
  readonly ledger = join(this.dir, 'ledger.jsonl');
  readonly replicas: ReplicaProcess[] = [];

  constructor(private readonly target: StoreTarget) {}

  /**
   * Starts replicas (one per entry) and waits until each has written its 'ready' line (its
   * 'loaded' line, for one `held`).
   */
  async start(options: ReplicaOptions[], timeoutMs = 60_000): Promise<ReplicaProcess[]> {
    const entry = await buildReplica();
    const started = options.map((option) => {
      const name = `replica-${this.replicas.length}`;
      const replica = new ReplicaProcess(
        name,
        entry,
        this.target,
        option,
        this.ledger,
        join(this.dir, `${name}.log`),
      );
      this.replicas.push(replica);
      return replica;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.lines();
      const said = (type: LedgerLine['type']) =>
        new Set(lines.filter((line) => line.type === type).map((line) => line.replica));
      const [ready, loaded] = [said('ready'), said('loaded')];
      const up = (replica: ReplicaProcess, i: number) =>
        (options[i]!.held ? loaded : ready).has(replica.name);
      if (started.every(up)) return started;
      const dead = started.find((replica) => !replica.alive);
      if (dead) throw new Error(`${dead.name} exited before ready:\n${this.log(dead.name)}`);
      if (Date.now() > deadline) {
        const late = started.filter((replica, i) => !up(replica, i)).map((one) => one.name);
        throw new Error(`replicas not ready within ${timeoutMs} ms: ${late.join(', ')}`);
      }
      await sleep(100);
    }
  }

  /** Stops every replica still alive (SIGCONT first, so a frozen one can hear SIGTERM). */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.replicas.map((replica) => {
        if (replica.alive) replica.resume();
        return replica.stop();
      }),
    );
  }

  /** Every ledger line so far (a SIGKILL can cut the last line short: it is left out). */
  lines(): LedgerLine[] {
    if (!existsSync(this.ledger)) return [];
    return readFileSync(this.ledger, 'utf8')
      .split('\n')
      .filter((text) => text.endsWith('}'))
      .map((text) => JSON.parse(text) as LedgerLine);
  }

  /** The runs in the ledger. */
  runs(): RunLine[] {
    return this.lines().filter((line): line is RunLine => line.type === 'run');
  }

  /** A replica's stdout and stderr. */
  log(name: string): string {
    const file = join(this.dir, `${name}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Removes the temporary directory (ledger and logs). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A run line of the ledger. */
export type RunLine = Extract<LedgerLine, { type: 'run' }>;

/** What a window of the ledger says, per (task, nominal time). */
export interface LedgerAnalysis {
  /** Runs whose tick lies inside the window. */
  runs: number;
  /** Ticks (`task@time`) run more than once, with how many times. */
  duplicates: Record<string, number>;
  /** Ticks of the window that no replica ran. */
  missing: string[];
  /** Runs per replica. */
  perReplica: Record<string, number>;
  /** Start (real clock) minus nominal time, ms. */
  lateness: { p50: number; p99: number; min: number; max: number };
}

/**
 * Judges the runs of the secondly tasks `tick-0`..`tick-(tasks-1)` whose nominal times lie in
 * [from, to] (epoch ms, rounded inwards to whole seconds).
 */
export function analyse(
  runs: readonly RunLine[],
  { tasks, from, to }: { tasks: number; from: number; to: number },
): LedgerAnalysis {
  const first = Math.ceil(from / 1_000) * 1_000;
  const last = Math.floor(to / 1_000) * 1_000;
  const inside = runs.filter((run) => run.scheduledAt >= first && run.scheduledAt <= last);
  const perReplica: Record<string, number> = {};
  for (const run of inside) perReplica[run.replica] = (perReplica[run.replica] ?? 0) + 1;
  const duplicates = duplicatesOf(inside);
  const seen = new Set(inside.map((run) => `${run.task}@${run.scheduledAt}`));
  const missing: string[] = [];
  for (let tick = first; tick <= last; tick += 1_000) {
    for (let task = 0; task < tasks; task++) {
      if (!seen.has(`tick-${task}@${tick}`)) missing.push(`tick-${task}@${tick}`);
    }
  }
  const lateness = inside.map((run) => run.startedAt - run.scheduledAt).sort((a, b) => a - b);
  return {
    runs: inside.length,
    duplicates,
    missing,
    perReplica,
    lateness: {
      p50: percentile(lateness, 0.5),
      p99: percentile(lateness, 0.99),
      min: lateness[0] ?? NaN,
      max: lateness.at(-1) ?? NaN,
    },
  };
}

/** Duplicates over the whole ledger, window or not: a tick must never run twice. */
export function duplicatesOf(runs: readonly RunLine[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const { task, scheduledAt } of runs) {
    const key = `${task}@${scheduledAt}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].filter(([, count]) => count > 1));
}

/** The nearest-rank percentile of sorted values (NaN when empty). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
}

/** Real-time sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
