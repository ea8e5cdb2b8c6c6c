import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { OptionValidationError, validationMessages } from '../../lib/errors.js';
import { RedisCoordinator, redisMessages } from '../../lib/redis/index.js';
import { REDIS_OPTION_KEYS } from '../../lib/redis/redis.options.js';
import type { ClusterRunRecord } from '../../lib/runner/coordinator.js';
import { describeCoordinator } from './coordinator.contract.js';
import { REDIS_URL, requireRedis, startPrivateRedis, type PrivateRedis } from './servers.js';
import { silentProxy, within } from './silent-proxy.js';

// Fails the whole file, with how to start Redis, when the shared server is not there.
await requireRedis(REDIS_URL);

const admin = new Redis(REDIS_URL);
const prefixes = new Set<string>();
const unique = (label: string) =>
  `t${label}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** A coordinator on the shared Redis whose keys are deleted after the file. */
function onSharedRedis(prefix: string, historySize?: number): RedisCoordinator {
  prefixes.add(prefix);
  return new RedisCoordinator({ url: REDIS_URL, prefix, historySize });
}

async function storeClock(): Promise<number> {
  const [seconds, micros] = await admin.time();
  return Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
}

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await admin.keys(`{${prefix}}:aioclock:*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  await admin.quit();
});

describeCoordinator('RedisCoordinator', (namespace) => onSharedRedis(namespace), storeClock);

describe('RedisCoordinator options', () => {
  const invalid = (field: string, reason: string) =>
    new OptionValidationError('RedisCoordinator', field, reason).message;
  const make = (options: unknown) => () =>
    new RedisCoordinator(options as ConstructorParameters<typeof RedisCoordinator>[0]);

  it('names the unknown option, and wants exactly one of url and client', () => {
    expect(make({ url: REDIS_URL, prefx: 'billing' })).toThrow(
      invalid('prefx', validationMessages.unknownKey([...REDIS_OPTION_KEYS])),
    );
    expect(make({ prefix: 'billing' })).toThrow(invalid('url', redisMessages.urlOrClient()));
    expect(make({ url: REDIS_URL, client: admin })).toThrow(
      invalid('client', redisMessages.urlOrClient()),
    );
  });

  it('refuses a URL that is not redis:// or rediss://, and a client without the ioredis methods', () => {
    expect(make({ url: 'http://127.0.0.1:6379' })).toThrow(
      invalid('url', redisMessages.notRedisUrl('http://127.0.0.1:6379')),
    );
    expect(make({ url: '127.0.0.1:6379' })).toThrow(
      invalid('url', redisMessages.notRedisUrl('127.0.0.1:6379')),
    );
    expect(make({ url: 6379 })).toThrow(invalid('url', validationMessages.notNonEmptyString(6379)));
    expect(make({ client: {} })).toThrow(OptionValidationError);
    expect(make({ url: 'rediss://user:secret@cache.internal:6380/2' })).not.toThrow();
  });

  it('refuses an empty prefix, braces in it, and a history size below 1', () => {
    expect(make({ url: REDIS_URL, prefix: '' })).toThrow(
      invalid('prefix', validationMessages.notNonEmptyString('')),
    );
    expect(make({ url: REDIS_URL, prefix: 'a{b}' })).toThrow(
      invalid('prefix', redisMessages.braceInPrefix('a{b}')),
    );
    expect(make({ url: REDIS_URL, historySize: 0 })).toThrow(
      invalid('historySize', validationMessages.notInteger({ min: 1 }, 0)),
    );
  });

  it('refuses a command or close timeout that is not a delay, and a command timeout with a client', () => {
    expect(make({ url: REDIS_URL, commandTimeout: 0 })).toThrow(
      invalid('commandTimeout', validationMessages.notNumber({ min: 1 }, 0)),
    );
    expect(make({ url: REDIS_URL, commandTimeout: '5s' })).toThrow(
      invalid('commandTimeout', validationMessages.notNumber({ min: 1 }, '5s')),
    );
    expect(make({ url: REDIS_URL, closeTimeout: -1 })).toThrow(
      invalid('closeTimeout', validationMessages.notNumber({ min: 0 }, -1)),
    );
    expect(make({ client: admin, commandTimeout: 1_000 })).toThrow(
      invalid('commandTimeout', redisMessages.commandTimeoutWithClient()),
    );
    expect(make({ url: REDIS_URL, commandTimeout: 250, closeTimeout: 0 })).not.toThrow();
  });
});

describe('RedisCoordinator on the shared Redis', () => {
  it('asks for connect() before a claim', async () => {
    const coordinator = onSharedRedis(unique('nc'));
    await expect(coordinator.claimTicks('a', [{ taskId: 't', scheduledAt: 0 }], 0)).rejects.toThrow(
      redisMessages.notConnected('claimTicks'),
    );
  });

  it('leaves a client passed in open at close, and claims through it', async () => {
    const prefix = unique('client');
    prefixes.add(prefix);
    const client = new Redis(REDIS_URL);
    try {
      const coordinator = new RedisCoordinator({ client, prefix });
      await coordinator.connect();
      const now = await storeClock();
      expect(await coordinator.claimTicks('a', [{ taskId: 't', scheduledAt: now }], 0)).toEqual([
        { won: true, fencingToken: 1 },
      ]);
      await coordinator.close();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('keeps historySize runs per task, and returns none for a limit of 0', async () => {
    const coordinator = onSharedRedis(unique('cap'), 3);
    await coordinator.connect();
    try {
      for (let i = 1; i <= 5; i++) await coordinator.appendHistory(record(i));
      const kept = await coordinator.listHistory('capped', 10);
      expect(kept.map((r) => r.runId)).toEqual(['run-5', 'run-4', 'run-3']);
      expect(kept[0]).toEqual(record(5));
      expect(await coordinator.listHistory('capped', 0)).toEqual([]);
    } finally {
      await coordinator.close();
    }
  });
});

// What the shared server must never see (SCRIPT FLUSH) or would blur (MONITOR counts, client
// counts) runs on a redis-server of this file's own.
describe('RedisCoordinator on a private redis-server', () => {
  let server: PrivateRedis;
  let control: Redis;

  beforeAll(async () => {
    server = await startPrivateRedis();
    control = new Redis(server.url);
  });
  afterAll(async () => {
    await control?.quit();
    await server?.stop();
  });

  /** The commands clients sent (not those run inside scripts) while `action` ran, and the script's. */
  async function watch(
    action: () => Promise<unknown>,
  ): Promise<{ sent: string[]; inLua: string[] }> {
    const monitor = await control.monitor();
    const seen: { command: string; lua: boolean }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) =>
      seen.push({
        command: `${args[0]}`.toLowerCase() + (args[0] === 'echo' ? ` ${args[1]}` : ''),
        lua: source === 'lua',
      }),
    );
    await control.echo('start');
    await action();
    await control.echo('end');
    await waitFor(() => seen.some((entry) => entry.command === 'echo end'));
    monitor.disconnect();
    const from = seen.findIndex((entry) => entry.command === 'echo start');
    const window = seen.slice(from + 1, -1);
    return {
      sent: window.filter((entry) => !entry.lua).map((entry) => entry.command),
      inLua: window.filter((entry) => entry.lua).map((entry) => entry.command),
    };
  }

  it('claims a whole batch in one round trip, on the store clock (TIME)', async () => {
    const coordinator = new RedisCoordinator({ url: server.url, prefix: 'batch' });
    await coordinator.connect();
    try {
      const now = Date.now();
      const ticks = Array.from({ length: 20 }, (_, i) => ({
        taskId: `task-${i % 10}`,
        scheduledAt: now - 10_000 + i,
      }));
      let outcomes: unknown[] = [];
      const { sent, inLua } = await watch(async () => {
        outcomes = await coordinator.claimTicks('replica-a', ticks, 0);
      });
      expect(sent).toEqual(['evalsha']);
      expect(inLua[0]).toBe('time');
      expect(outcomes).toHaveLength(20);
      // Measured by the same script call (its TIME); one machine, so a small offset.
      expect(Math.abs(coordinator.clockOffsetMs!)).toBeLessThan(60_000);
      expect(outcomes.every((outcome) => (outcome as { won: boolean }).won)).toBe(true);
    } finally {
      await coordinator.close();
    }
  });

  it('takes the leases of 50 tasks in one round trip on the store clock, and releases them in one', async () => {
    const coordinator = new RedisCoordinator({ url: server.url, prefix: 'leases' });
    await coordinator.connect();
    try {
      const taskIds = Array.from({ length: 50 }, (_, i) => `leader-${i}`);
      let outcomes: unknown[] = [];
      const hold = await watch(async () => {
        outcomes = await coordinator.holdLeases('replica-a', taskIds, 60_000);
      });
      expect(hold.sent).toEqual(['evalsha']);
      expect(hold.inLua[0]).toBe('time');
      expect(outcomes).toEqual(Array(50).fill({ held: true, epoch: 1 }));
      const release = await watch(() => coordinator.releaseLeases('replica-a', taskIds));
      expect(release.sent).toEqual(['evalsha']);
      // Released, the lease is free, and its epoch counter stays for the next holder.
      expect(await control.hgetall('{leases}:aioclock:lease:leader-49')).toEqual({ epoch: '1' });
      expect(await coordinator.holdLeases('replica-b', ['leader-49'], 60_000)).toEqual([
        { held: true, epoch: 2 },
      ]);
    } finally {
      await coordinator.close();
    }
  });

  it('falls back to EVAL once when the server lost its scripts, then uses EVALSHA again', async () => {
    const coordinator = new RedisCoordinator({ url: server.url, prefix: 'noscript' });
    await coordinator.connect();
    try {
      await control.script('FLUSH'); // the private server only, never the shared one
      const now = Date.now();
      const first = await watch(() =>
        coordinator.claimTicks('replica-a', [{ taskId: 't', scheduledAt: now - 2_000 }], 0),
      );
      expect(first.sent).toEqual(['evalsha', 'eval']);
      const second = await watch(() =>
        coordinator.claimTicks('replica-a', [{ taskId: 't', scheduledAt: now - 1_000 }], 0),
      );
      expect(second.sent).toEqual(['evalsha']);
      expect(await coordinator.listHistory('t', 1)).toEqual([]);
      const [hw, token] = await control.hmget('{noscript}:aioclock:tick:t', 'hw', 'token');
      expect([Number(hw), Number(token)]).toEqual([now - 1_000, 2]);
    } finally {
      await coordinator.close();
    }
  });

  it('renews runs in flight by EVALSHA in the sync round trip, and by EVAL when the server lost its scripts', async () => {
    const coordinator = new RedisCoordinator({ url: server.url, prefix: 'renew' });
    await coordinator.connect();
    try {
      const [won] = await coordinator.claimTicks(
        'replica-a',
        [{ taskId: 'r', scheduledAt: Date.now() - 1_000, inFlightTtlMs: 1_000 }],
        0,
      );
      const runs = [{ taskId: 'r', fencingToken: won.won ? won.fencingToken : 0 }];
      const busy = async () => Number(await control.hget('{renew}:aioclock:tick:r', 'busy'));
      const renewed = async (ttlMs: number) => {
        const before = await busy();
        const { sent } = await watch(() => coordinator.readControl(['r'], { runs, ttlMs }));
        expect(await busy()).toBeGreaterThan(before);
        return sent;
      };
      expect(await renewed(60_000)).toEqual(['hmget', 'hgetall', 'evalsha']);
      await control.script('FLUSH'); // the private server only, never the shared one
      expect(await renewed(120_000)).toEqual(['hmget', 'hgetall', 'evalsha', 'eval']);
      expect(await renewed(180_000)).toEqual(['hmget', 'hgetall', 'evalsha']);
    } finally {
      await coordinator.close();
    }
  });

  it('closes the connection it opened from a URL', async () => {
    const clients = async () =>
      String(await control.client('LIST'))
        .trim()
        .split('\n').length;
    const before = await clients();
    const coordinator = new RedisCoordinator({ url: server.url, prefix: 'close' });
    await coordinator.connect();
    expect(await clients()).toBe(before + 1);
    await coordinator.close();
    await waitFor(async () => (await clients()) === before);
    expect(await clients()).toBe(before);
  });
});

describe('RedisCoordinator and a Redis that stops answering (real time, behind a proxy)', () => {
  it('drops its connection after closeTimeout at close, saying so, and fails the commands in flight', async () => {
    const proxy = await silentProxy(REDIS_URL);
    const prefix = unique('hang');
    prefixes.add(prefix);
    try {
      const coordinator = new RedisCoordinator({ url: proxy.url, prefix, closeTimeout: 200 });
      await coordinator.connect();
      proxy.silence();
      const read = coordinator.lastTicks(['t']);
      read.catch(() => undefined);
      await expect(coordinator.close()).rejects.toThrow(redisMessages.closeForced(200, 1));
      expect(await within(read, 1_000)).toBe('rejected: Error');
    } finally {
      await proxy.close();
    }
  });
});

function record(i: number): ClusterRunRecord {
  return {
    runId: `run-${i}`,
    taskId: 'capped',
    taskName: 'capped',
    origin: 'schedule',
    scheduledAt: new Date(1_000 * i),
    startedAt: new Date(1_000 * i + 1),
    finishedAt: new Date(1_000 * i + 2),
    status: 'succeeded',
    attempt: 1,
    error: null,
    // A result that looks like a date stays a string.
    result: '2024-01-01T00:00:00.000Z',
    instanceId: 'replica-a',
    fencingToken: i,
  };
}

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200 && !(await condition()); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
