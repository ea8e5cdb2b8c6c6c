import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Every, TaskRegistry } from '../../lib/index.js';
import { sleep } from '../fixtures/testing-module.js';
import { startDashboardApp, TOKEN } from './dashboard-app.js';

// The dashboard with 500 tasks firing every second (~1500 scheduler events a second), three pages
// and a stream open. Real time, generous bounds: what is asserted is counted, not timed.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TASKS = 500;
const WAIT = { timeout: 45_000 };

let browser: Browser;
let app: INestApplication | null = null;
let baseUrl: string;
let registry: TaskRegistry;
let overviewsComputed = 0;
const pages: Page[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  ({ app, baseUrl } = await startDashboardApp());
  registry = app.get(TaskRegistry);
  for (let i = 0; i < TASKS; i++) {
    registry.addTask({ name: `busy-${i}`, trigger: new Every({ seconds: 1 }), handler: () => i });
  }
  // Every overview reads the task list once: counting reads counts overviews computed.
  const getTasks = registry.getTasks.bind(registry);
  registry.getTasks = () => (overviewsComputed++, getTasks());
}, 60_000);

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

/** Counts the messages of one event stream, by type, until the response ends. */
function countStream(): Map<string, number> {
  const counts = new Map<string, number>();
  const req = httpRequest(`${baseUrl}/aioclock/events?token=${TOKEN}`, (response) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      for (const [, type] of chunk.matchAll(/^event: (\w+)$/gm)) {
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
    });
    response.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return counts;
}

describe('the dashboard with 500 tasks firing every second', () => {
  it('goes live on three pages, with one overview computed per second for all of them', async () => {
    for (let i = 0; i < 3; i++) {
      const page = await (await browser.newContext()).newPage();
      pages.push(page);
      await page.goto(`${baseUrl}/aioclock?token=${TOKEN}`);
    }
    for (const page of pages) {
      await page.waitForSelector('#live.on', WAIT);
      await page.waitForSelector(`tr[data-task="busy-${TASKS - 1}"] .last .s-succeeded`, WAIT);
    }
    const stream = countStream();
    const computedBefore = overviewsComputed;
    const started = Date.now();
    await sleep(4_000);
    const seconds = (Date.now() - started) / 1000;
    // Was: each page refetched per burst and each fetch recomputed (with a history read per task).
    expect(overviewsComputed - computedBefore).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    // Was: one message per scheduler event, thousands a second; now at most two batches a second.
    expect(stream.get('tasks') ?? 0).toBeGreaterThan(0);
    expect(stream.get('tasks') ?? 0).toBeLessThanOrEqual(Math.ceil(seconds * 2) + 2);
    expect(stream.get('task')).toBeUndefined();
  }, 120_000);

  it('shows a pause made on the server on every page without a reload', async () => {
    await pages[0].bringToFront();
    await registry.pause('busy-250');
    for (const page of pages) {
      await page.bringToFront();
      await page.waitForSelector('tr[data-task="busy-250"] .state .badge:text-is("paused")', WAIT);
    }
  }, 120_000);

  it('keeps the overview small enough to fetch every second', async () => {
    const response = await fetch(`${baseUrl}/aioclock/api/overview?token=${TOKEN}`);
    const overview = (await response.json()) as {
      tasks: unknown[];
      timeline: { rows: { runs: unknown[] }[] };
    };
    expect(overview.tasks).toHaveLength(TASKS + 3);
    // Runs a pixel apart merge into one bar: a task run every second is a bar or two, not 50.
    const bars = overview.timeline.rows.reduce((sum, row) => sum + row.runs.length, 0);
    expect(bars).toBeLessThan(overview.tasks.length * 10); // a loaded box merges fewer
  });
});
