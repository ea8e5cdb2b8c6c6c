import { describe, it, expect, jest, afterEach } from '@jest/globals';
import { Controller, Injectable, Sse, type MessageEvent } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { map, type Observable } from 'rxjs';
import {
  AioClockModule,
  Every,
  Task,
  TaskRegistry,
  TaskSupervisor,
  type TaskContext,
} from '../../lib/index.js';
import { messages } from '../../lib/errors.js';
import { createApp, flushPromises, sleep } from '../fixtures/testing-module.js';

// Issue 9: shutdown ends. The event streams complete before Nest closes the HTTP server (an SSE
// client would otherwise hold it open for ever), and runs and jobs share one shutdownTimeout.

/** Undone after each test, passed or failed, so that a hung close cannot keep jest alive. */
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  jest.useRealTimers();
});

@Controller('tasks')
class EventsController {
  constructor(private readonly registry: TaskRegistry) {}

  /** What the sample's `GET /tasks/events` does. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.registry.events$.pipe(map((event) => ({ data: event })));
  }
}

@Injectable()
class Heartbeat {
  runs = 0;
  @Task(new Every({ seconds: 0.05 }))
  beat() {
    this.runs++;
  }
}

/** A Nest HTTP app serving the SSE endpoint on an ephemeral port. */
async function listen() {
  const moduleRef = await Test.createTestingModule({
    imports: [AioClockModule.forRoot({ logger: false })],
    providers: [Heartbeat],
    controllers: [EventsController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  cleanups.push(() => app.close());
  const server = app.getHttpServer() as Server;
  return { app, server, port: (server.address() as AddressInfo).port };
}

describe('shutdown with an events$ subscriber', () => {
  it('completes events$ before Nest closes the HTTP server, and no task runs after close', async () => {
    const { app, server } = await listen();
    let completed = false;
    const subscription = app.get(TaskRegistry).events$.subscribe({
      complete: () => (completed = true),
    });
    let completedWhenServerClosed: boolean | null = null;
    const close = server.close.bind(server);
    jest.spyOn(server, 'close').mockImplementation((callback) => {
      completedWhenServerClosed ??= completed;
      return close(callback);
    });
    await sleep(120);
    await app.close();
    expect(completedWhenServerClosed).toBe(true);
    expect(subscription.closed).toBe(true);
    const runs = app.get(Heartbeat).runs;
    expect(runs).toBeGreaterThan(0);
    await sleep(200);
    expect(app.get(Heartbeat).runs).toBe(runs);
  });

  it('app.close() ends while an SSE client is connected to events$', async () => {
    const { app, port } = await listen();
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/tasks/events' }, resolve).on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    cleanups.push(() => response.destroy());
    let received = '';
    const firstEvent = new Promise<void>((resolve) => {
      response.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes('data:')) resolve();
      });
    });
    const ended = new Promise<void>((resolve) => {
      response.on('end', resolve);
      response.on('close', resolve);
    });
    await firstEvent;
    expect(received).toContain('data:');

    await app.close(); // hung for ever before: the server waited for the SSE response
    await ended;
    const runs = app.get(Heartbeat).runs;
    await sleep(200);
    expect(app.get(Heartbeat).runs).toBe(runs);
  }, 20_000);

  it('app.close() ends at once with an SSE client, even when the server keeps idle connections long', async () => {
    // Servers behind a load balancer often keep idle connections for a minute. events$ completes
    // in beforeApplicationShutdown, but Nest closes the server in the same turn, before the
    // ended response leaves the connection idle, so the close waits for keepAliveTimeout.
    const { app, server, port } = await listen();
    server.keepAliveTimeout = 60_000;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/tasks/events' }, resolve).on('error', reject);
    });
    cleanups.push(() => response.destroy());
    response.resume();
    await sleep(120);
    await app.close();
  }, 3_000);
});

describe('shutdown timeout', () => {
  it('waits one shutdownTimeout for a hung run and a hung job together, and says once what it waits for', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    @Injectable()
    class Stubborn {
      constructor(readonly supervisor: TaskSupervisor) {}
      @Task(new Every({ seconds: 1, maxLoopCount: 1 }))
      async hang(_context: TaskContext) {
        await new Promise(() => {}); // ignores its abort signal
      }
    }
    const { app, logger } = await createApp([Stubborn], { shutdownTimeout: 1_000 });
    const supervisor = app.get(TaskSupervisor);
    const job = supervisor.submit(() => new Promise(() => {}), { name: 'stuck-job' });
    await jest.advanceTimersByTimeAsync(1_000); // the task's run starts and hangs
    expect(app.get(TaskRegistry).getTask('Stubborn.hang').running).toBe(true);
    expect(job.status).toBe('started');

    const start = Date.now();
    let closedAfter: number | null = null;
    const closing = app.close().then(() => (closedAfter = Date.now() - start));
    await jest.advanceTimersByTimeAsync(1_100);
    await flushPromises();
    // Before: the scheduler waited its timeout, then the supervisor waited a second one.
    expect(closedAfter).not.toBeNull();
    expect(closedAfter).toBeLessThanOrEqual(1_100);
    await jest.advanceTimersByTimeAsync(5_000);
    await closing;

    expect(job.status).toBe('cancelled');
    expect(app.get(TaskRegistry).getTask('Stubborn.hang').lastRun?.status).toBe('cancelled');
    const waiting = logger.logs.filter((line) => line.startsWith('Shutting down: waiting'));
    expect(waiting).toEqual([messages.shutdownWaiting(['Stubborn.hang'], 1_000)]);
    expect(logger.warnings).toContain(messages.shutdownTimeout(['Stubborn.hang']));
  });

  it('names the background jobs it waits for, too', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { app, logger } = await createApp([], { shutdownTimeout: 1_000 });
    app.get(TaskSupervisor).submit(() => new Promise(() => {}), { name: 'stuck-job' });
    const closing = app.close();
    await jest.advanceTimersByTimeAsync(2_000);
    await closing;
    const said = [...logger.logs, ...logger.warnings].join('\n');
    expect(said).toContain('stuck-job');
  });
});

describe('app.close() under fake timers', () => {
  it('resolves without moving time when nothing runs and nobody listens to events$', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    try {
      const { app } = await createApp([]);
      await app.close(); // a test's afterEach does this with fake timers still installed
    } finally {
      jest.useRealTimers();
    }
  }, 5_000);
});
