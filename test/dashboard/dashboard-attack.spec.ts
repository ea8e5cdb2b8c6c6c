import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { AioClockDashboardModule, dashboardMessages } from '../../lib/dashboard/index.js';
import { startDashboardApp, TOKEN, TokenGuard } from './dashboard-app.js';

// Review of the dashboard (attack1): option checks, and shutdown with many open streams.
let app: INestApplication | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('the path option', () => {
  it('refuses dot segments, which a browser removes before it asks (the page is unreachable)', () => {
    for (const path of ['.', '..', '/ops/..', '/./ops', '/ops/./clock']) {
      expect(() => AioClockDashboardModule.forRoot({ guard: TokenGuard, path })).toThrow(
        dashboardMessages.badPath(path),
      );
    }
    expect(() =>
      AioClockDashboardModule.forRoot({ guard: TokenGuard, path: '/v1.2/ops' }),
    ).not.toThrow();
  });
});

/** Opens the event stream; resolves with the response once the `hello` came, and collects its text. */
function openStream(baseUrl: string): Promise<{ response: IncomingMessage; text: () => string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/aioclock/events?token=${TOKEN}`, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const first = text === '';
        text += chunk;
        if (first) resolve({ response, text: () => text });
      });
      response.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('shutdown with many pages open', () => {
  it('app.close() ends with 40 event streams open, and each stream ends with a bye', async () => {
    const started = await startDashboardApp();
    app = started.app;
    const streams = await Promise.all(
      Array.from({ length: 40 }, () => openStream(started.baseUrl)),
    );
    const ended = streams.map(
      ({ response }) => new Promise<void>((resolve) => response.on('close', () => resolve())),
    );
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('hung'), 20_000);
    });
    const closing = app.close().then(() => 'closed');
    app = null;
    expect(await Promise.race([closing, hung])).toBe('closed');
    clearTimeout(timer);
    await Promise.all(ended);
    for (const { text } of streams) expect(text()).toContain('event: bye');
  }, 30_000);
});
