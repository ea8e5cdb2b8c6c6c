import type { Redis } from 'ioredis';
import { ClockOffsetMeter } from '../runner/clock-offset-meter.js';
import { runStatsFrom, type ClusterRunStats } from '../runner/cluster-run-stats.js';
import { reviveRunRecord } from '../runner/coordinator.js';
import type {
  AnchorProposal,
  ClaimOutcome,
  ClaimRefusal,
  ClusterRunRecord,
  ControlChange,
  ControlState,
  Coordinator,
  InFlightRun,
  LeaseOutcome,
  SharedTaskState,
  TickClaim,
} from '../runner/coordinator.js';
import { settlesWithin } from '../utils/settles-within.js';
import { openRedis } from './redis.connection.js';
import { redisMessages } from './redis.messages.js';
import { resolveRedisOptions, type RedisCoordinatorOptions } from './redis.options.js';
import {
  CLAIM_EARLY,
  CLAIM_EXHAUSTED,
  CLAIM_OVERLAP,
  CLAIM_PAUSED,
  CLAIM_STALE,
  CLAIM_TAKEN,
  evalScript,
  isNoScript,
  SCRIPTS,
} from './redis.scripts.js';

/** The claim script's refusal codes. */
const REFUSALS = new Map<unknown, ClaimRefusal>([
  [CLAIM_TAKEN, 'taken'],
  [CLAIM_EARLY, 'early'],
  [CLAIM_PAUSED, 'paused'],
  [CLAIM_STALE, 'stale'],
  [CLAIM_EXHAUSTED, 'exhausted'],
  [CLAIM_OVERLAP, 'overlap'],
]);

/**
 * The coordination port on Redis (`nestjs-aioclock/redis`): each batch of claims, and each batch of
 * leases, is one EVALSHA of a Lua script judged on Redis `TIME`; history is a capped list per
 * task. Every key of one prefix shares the hash tag `{prefix}`, so a batch stays one script call
 * on Redis Cluster too (one slot per app). `ioredis` is loaded only when a `url` is given.
 */
export class RedisCoordinator implements Coordinator {
  readonly kind = 'redis';
  /** The store's clock minus this one's, measured on each claim (which reads the store's clock anyway). */
  get clockOffsetMs(): number | null {
    return this.clock.offsetMs;
  }
  private readonly clock = new ClockOffsetMeter();
  private readonly url: string | undefined;
  private readonly ownClient: boolean;
  private readonly prefix: string;
  private readonly historySize: number;
  private readonly closeTimeout: number;
  private readonly commandTimeout: number;
  private client: Redis | undefined;
  private connecting: Promise<void> | undefined;
  /** Grows at each close(): a connection opened for an earlier generation is dropped. */
  private generation = 0;

  constructor(options: RedisCoordinatorOptions) {
    const { url, client, prefix, historySize, closeTimeout, commandTimeout } =
      resolveRedisOptions(options);
    this.url = url;
    this.client = client;
    this.ownClient = url !== undefined;
    this.prefix = prefix;
    this.historySize = historySize;
    this.closeTimeout = closeTimeout;
    this.commandTimeout = commandTimeout;
  }

  /** Opens the connection (for a `url`) and loads the scripts; idempotent. */
  connect(): Promise<void> {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async claimTicks(
    claimerId: string,
    ticks: readonly TickClaim[],
    toleranceMs: number,
  ): Promise<ClaimOutcome[]> {
    const client = this.ready('claimTicks');
    if (ticks.length === 0) return [];
    const keys = [
      ...ticks.map(({ taskId }) => this.key('tick', taskId)),
      ...ticks.map(({ taskId }) => this.key('control', taskId)),
    ];
    const args = [String(toleranceMs), claimerId];
    for (const tick of ticks) {
      args.push(
        String(tick.scheduledAt),
        String(tick.version ?? 0),
        tick.maxLoopCount == null ? '' : String(tick.maxLoopCount),
        tick.inFlightTtlMs == null ? '' : String(Math.ceil(tick.inFlightTtlMs)),
      );
    }
    const answers = await this.clock.measure(
      () => evalScript(client, SCRIPTS.claim, keys, args),
      (reply) => (Array.isArray(reply) && reply.length === ticks.length + 1 ? reply.at(-1) : null),
    );
    if (!Array.isArray(answers) || answers.length !== ticks.length + 1) {
      throw new Error(redisMessages.unexpectedReply(answers));
    }
    answers.pop(); // the store's time, measured above
    return answers.map((answer): ClaimOutcome => {
      const refusal = REFUSALS.get(answer);
      if (refusal !== undefined) return { won: false, reason: refusal };
      if (typeof answer !== 'number' || answer < 1) {
        throw new Error(redisMessages.unexpectedReply(answers));
      }
      return { won: true, fencingToken: answer };
    });
  }

  async holdLeases(
    holderId: string,
    taskIds: readonly string[],
    ttlMs: number,
  ): Promise<LeaseOutcome[]> {
    const client = this.ready('holdLeases');
    if (taskIds.length === 0) return [];
    const keys = taskIds.map((taskId) => this.key('lease', taskId));
    const answers = await evalScript(client, SCRIPTS.holdLeases, keys, [String(ttlMs), holderId]);
    if (!Array.isArray(answers) || answers.length !== taskIds.length) {
      throw new Error(redisMessages.unexpectedLeaseReply(answers));
    }
    // The script answers the epoch (an integer) when the caller holds the lease, else the holder.
    return answers.map((answer): LeaseOutcome => {
      if (typeof answer === 'string') return { held: false, holder: answer };
      if (typeof answer !== 'number' || answer < 1) {
        throw new Error(redisMessages.unexpectedLeaseReply(answers));
      }
      return { held: true, epoch: answer };
    });
  }

  async releaseLeases(holderId: string, taskIds: readonly string[]): Promise<void> {
    const client = this.ready('releaseLeases');
    if (taskIds.length === 0) return;
    const keys = taskIds.map((taskId) => this.key('lease', taskId));
    await evalScript(client, SCRIPTS.releaseLeases, keys, [holderId]);
  }

  async lastTicks(taskIds: readonly string[]): Promise<(number | null)[]> {
    const client = this.ready('lastTicks');
    if (taskIds.length === 0) return [];
    // A pipeline: every read travels in one round trip.
    const pipeline = client.pipeline();
    for (const taskId of taskIds) pipeline.hget(this.key('tick', taskId), 'hw');
    const replies = (await pipeline.exec()) ?? [];
    return taskIds.map((_, index) => {
      const [error, value] = replies[index] ?? [new Error(redisMessages.unexpectedReply(replies))];
      if (error) throw error;
      return typeof value === 'string' ? Number(value) : null;
    });
  }

  async appendHistory(record: ClusterRunRecord): Promise<void> {
    const client = this.ready('appendHistory');
    const { taskId } = record;
    const keys = [
      this.key('history', taskId),
      this.key('tick', taskId),
      this.key('stats', taskId),
      this.key('appended', taskId),
    ];
    const token = record.fencingToken == null ? '' : String(record.fencingToken);
    const started = record.startedAt === null ? '0' : '1';
    const args = [JSON.stringify(record), String(this.historySize), token, record.status, started];
    args.push(`${record.runId}#${record.attempt}`);
    await evalScript(client, SCRIPTS.appendHistory, keys, args);
  }

  async writeControl(taskId: string, change: ControlChange): Promise<ControlState> {
    const client = this.ready('writeControl');
    const keys = [this.key('control', taskId), this.key('tick', taskId)];
    const trigger = change.kind === 'setTrigger' ? JSON.stringify(change.trigger) : '';
    const reply = await evalScript(client, SCRIPTS.writeControl, keys, [change.kind, trigger]);
    const state = controlState(reply);
    if (state === null) throw new Error(redisMessages.unexpectedReply(reply));
    return state;
  }

  async readControl(
    taskIds: readonly string[],
    renew?: { runs: readonly InFlightRun[]; ttlMs: number },
  ): Promise<SharedTaskState[]> {
    const client = this.ready('readControl');
    const runs = renew?.runs ?? [];
    if (taskIds.length === 0 && runs.length === 0) return [];
    // A pipeline: every read, and the renewal, travel in one round trip.
    const pipeline = client.pipeline();
    for (const taskId of taskIds) {
      pipeline.hmget(this.key('control', taskId), 'paused', 'version', 'tversion', 'trigger');
    }
    for (const taskId of taskIds) pipeline.hgetall(this.key('stats', taskId));
    const keys = runs.map(({ taskId }) => this.key('tick', taskId));
    const args = [
      String(Math.ceil(renew?.ttlMs ?? 0)),
      ...runs.map((run) => String(run.fencingToken)),
    ];
    if (runs.length > 0) pipeline.evalsha(SCRIPTS.renewRuns.sha, keys.length, ...keys, ...args);
    const replies = (await pipeline.exec()) ?? [];
    const renewal = runs.length > 0 ? replies[2 * taskIds.length] : undefined;
    if (renewal?.[0]) {
      if (!isNoScript(renewal[0])) throw renewal[0];
      // The server lost its scripts: the renewal alone, by its source, costs one more round trip.
      await client.eval(SCRIPTS.renewRuns.source, keys.length, ...keys, ...args);
    }
    const reply = (index: number): unknown => {
      const [error, value] = replies[index] ?? [new Error(redisMessages.unexpectedReply(replies))];
      if (error) throw error;
      return value;
    };
    return taskIds.map((_, index) => ({
      control: controlState(reply(index)),
      stats: runStats(reply(taskIds.length + index)),
    }));
  }

  async claimRequest(
    instanceId: string,
    taskId: string,
    requestId: string,
    ttlMs: number,
  ): Promise<boolean> {
    const client = this.ready('claimRequest');
    // SET NX PX: first writer wins, and the key expires on the server's clock.
    const key = `${this.key('request', taskId)}:${requestId}`;
    const reply = await client.set(key, instanceId, 'PX', Math.ceil(ttlMs), 'NX');
    return reply === 'OK';
  }

  async listHistory(taskId: string, limit: number): Promise<ClusterRunRecord[]> {
    const client = this.ready('listHistory');
    // LRANGE's stop is inclusive and -1 means "all": a limit of 0 must not ask for everything.
    const count = Math.min(limit, this.historySize);
    if (!(count >= 1)) return [];
    const items = await client.lrange(this.key('history', taskId), 0, Math.floor(count) - 1);
    return items.map((json) => reviveRunRecord(JSON.parse(json) as Record<string, unknown>));
  }

  /**
   * Quits the connection opened for a `url` (a `client` passed in is left open). QUIT waits for
   * replies in flight; past `closeTimeout` in all, the connection is dropped and close rejects,
   * saying what was abandoned.
   */
  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    this.generation++;
    if (!this.ownClient) return;
    const deadline = Date.now() + this.closeTimeout;
    if (pending) await settlesWithin(pending, this.closeTimeout);
    const client = this.client;
    this.client = undefined;
    if (!client || client.status === 'end') return;
    // A connection that is down is dropped at once.
    const quit = client.quit().catch(() => client.disconnect());
    if (await settlesWithin(quit, Math.max(0, deadline - Date.now()))) return;
    const inFlight = commandsInFlight(client) - 1; // QUIT itself is the last one
    client.disconnect();
    throw new Error(redisMessages.closeForced(this.closeTimeout, inFlight));
  }

  async anchors(proposals: readonly AnchorProposal[]): Promise<number[]> {
    const client = this.ready('anchors');
    if (proposals.length === 0) return [];
    const keys = proposals.map(({ taskId }) => this.key('anchor', taskId));
    const args = proposals.flatMap(({ schedule, proposedAt }) => [schedule, String(proposedAt)]);
    const answers = await evalScript(client, SCRIPTS.anchors, keys, args);
    const anchors = Array.isArray(answers) ? answers.map(Number) : [];
    if (anchors.length !== proposals.length || !anchors.every(Number.isSafeInteger)) {
      throw new Error(redisMessages.unexpectedAnchorReply(answers));
    }
    return anchors;
  }

  private async open(): Promise<void> {
    if (this.url !== undefined) {
      const generation = this.generation;
      const opened = await openRedis(this.url, this.commandTimeout);
      // close() gave up waiting for this connect (closeTimeout): nobody would quit it.
      if (generation !== this.generation) {
        opened.disconnect();
        throw new Error(redisMessages.closedWhileConnecting());
      }
      this.client = opened;
    }
    // Warms the script cache; a server that lost it later is handled by the NOSCRIPT fallback.
    const client = this.client;
    if (client)
      await Promise.all(Object.values(SCRIPTS).map((s) => client.script('LOAD', s.source)));
  }

  private ready(method: string): Redis {
    if (!this.client || !this.connecting) throw new Error(redisMessages.notConnected(method));
    return this.client;
  }

  /** `{prefix}:aioclock:<kind>:<taskId>`: the hash tag keeps one app's keys in one Cluster slot. */
  private key(
    kind: 'tick' | 'lease' | 'history' | 'control' | 'request' | 'anchor' | 'stats' | 'appended',
    taskId: string,
  ): string {
    return `{${this.prefix}}:aioclock:${kind}:${taskId}`;
  }
}

/** Commands sent and not answered (ioredis keeps them in `commandQueue`, not a typed field). */
function commandsInFlight(client: Redis): number {
  const queue = (client as unknown as { commandQueue?: { length?: unknown } }).commandQueue;
  return typeof queue?.length === 'number' ? queue.length : 1;
}

/** The totals hash as HGETALL answers it (an empty object: no record yet). */
function runStats(reply: unknown): ClusterRunStats | null {
  if (reply === null || typeof reply !== 'object' || Object.keys(reply).length === 0) return null;
  const { last, ...fields } = reply as Record<string, string>;
  const lastRun = last ? reviveRunRecord(JSON.parse(last) as Record<string, unknown>) : null;
  return runStatsFrom(fields, lastRun);
}

/** A control hash's HMGET (`paused`, `version`, `tversion`, `trigger`) as a state; null if none. */
function controlState(reply: unknown): ControlState | null {
  if (!Array.isArray(reply)) return null;
  const [paused, version, triggerVersion, trigger] = reply as (string | null)[];
  if (version === null || version === undefined) return null;
  return {
    paused: paused === '1' ? true : paused === '0' ? false : null,
    version: Number(version),
    triggerVersion: Number(triggerVersion ?? 0),
    trigger: typeof trigger === 'string' ? (JSON.parse(trigger) as ControlState['trigger']) : null,
  };
}
