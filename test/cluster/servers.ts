import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { Redis } from 'ioredis';

// The real stores the cluster tests run against. A missing server fails the suite, with the
// command that starts it: these tests never skip silently.

/** The shared Redis of the real tier (never flushed nor restarted by tests). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** How to start the shared Redis, as the failure message says. */
export const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no';

/** Throws, naming the URL and how to start Redis, unless a Redis answers PING at `url`. */
export async function requireRedis(url: string = REDIS_URL): Promise<void> {
  const { hostname, port } = new URL(url);
  const answer = await ping(hostname.replace(/^\[|\]$/g, ''), Number(port || 6379)).catch(
    (error: { message?: string }) => error?.message ?? String(error),
  );
  if (answer !== '+PONG') {
    throw new Error(
      `Redis is missing: no Redis answered at ${url} (${answer}). ` +
        `Start one with: ${START_REDIS} (or set REDIS_URL).`,
    );
  }
}

/** Deletes the keys of a test's prefix (or harness namespace) on the shared Redis. */
export async function dropRedisPrefix(prefix: string, url: string = REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`{${prefix}}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}

/** A redis-server of the test's own on a free port, for what the shared one must never see. */
export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway redis-server on a free port, or on `port` (to restart one), and waits until
 * it answers. Without `dir` it keeps nothing: a restart comes back empty. With `dir` it keeps an
 * append-only file there, written at each command, so a restart on the same dir keeps the data,
 * as a production Redis with persistence does.
 */
export async function startPrivateRedis(port?: number, dir?: string): Promise<PrivateRedis> {
  port ??= await freePort();
  const persistence =
    dir === undefined
      ? ['--save', '', '--appendonly', 'no']
      : ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', ...persistence],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await ping('127.0.0.1', port).catch(() => null)) === '+PONG') return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`a private redis-server on port ${port} did not start`);
}

function ping(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(2_000, () => socket.destroy(new Error('no answer within 2 s')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().trim());
      socket.end();
    });
  });
}

/** A TCP port free on 127.0.0.1 just now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(address),
      );
    });
  });
}
