import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TaskRegistry } from '../../lib/index.js';
import { INSTANCE_ID, startDashboardApp, TOKEN } from './dashboard-app.js';

// Issue 12: the dashboard in a real browser, Debian's Chromium driven by playwright-core. `npm
// test` installs it first (scripts/ensure-chromium.sh); a missing browser fails, never skips.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/dashboard/', import.meta.url);
const WAIT = { timeout: 15_000 };

let browser: Browser;
let app: INestApplication | null = null;
let baseUrl: string;
let page: Page;

const row = (task: string) => `tr[data-task="${task}"]`;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

/** Waits until the task's state cell says `state`. */
async function waitForState(task: string, state: string): Promise<void> {
  await page.waitForSelector(`${row(task)} .state .badge:text-is("${state}")`, WAIT);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (npm test does) or apt-get install chromium`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  ({ app, baseUrl } = await startDashboardApp());
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

describe('the dashboard in Chromium', () => {
  it('lists every task with its trigger in words and goes live', async () => {
    await page.goto(`${baseUrl}/aioclock?token=${TOKEN}`);
    await page.waitForSelector('#live.on', WAIT);
    for (const task of ['poll', 'nightly-report', 'flaky']) {
      await page.waitForSelector(row(task), WAIT);
    }
    expect(await page.textContent(`${row('poll')} .trigger`)).toBe('every 1 s');
    expect(await page.textContent(`${row('nightly-report')} .trigger`)).toBe(
      'cron 0 3 * * * (Europe/Berlin)',
    );
    expect(await page.textContent(`${row('poll')} td:nth-child(2)`)).toBe('prices');
    // The poll task runs every second: its runs reach the table and the timeline with no reload.
    await page.waitForSelector(`${row('poll')} .last .s-succeeded`, WAIT);
    await page.waitForSelector('#chart rect.run.r-succeeded', WAIT);
  });

  it('shows the background jobs, and which replica ran what and holds which lease', async () => {
    await page.waitForSelector('#jobs:not([hidden]) #recent-jobs td:text-is("crunch")', WAIT);
    expect(await page.textContent('#pools')).toContain('inline');
    await page.waitForSelector('#leases:text("poll")', WAIT);
    expect(await page.textContent('#facts')).toContain(`replica ${INSTANCE_ID}`);
    // History comes from the cluster store, which records the replica of each run.
    await page.click(`${row('poll')} a`);
    await page.waitForSelector(`#panel td:text-is("${INSTANCE_ID}")`, WAIT);
    await page.click('#panel button:text-is("Close")');
    await page.waitForSelector('#panel', { state: 'hidden', ...WAIT });
  });

  it('pauses a task after a confirm, and shows a pause made elsewhere without a reload', async () => {
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click(`${row('nightly-report')} button[data-action="pause"]`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app!.get(TaskRegistry).getTask('nightly-report').paused).toBe(false);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.click(`${row('nightly-report')} button[data-action="pause"]`);
    await waitForState('nightly-report', 'paused');
    expect(app!.get(TaskRegistry).getTask('nightly-report').paused).toBe(true);

    // Resumed on the server: only the event stream can tell the page.
    await app!.get(TaskRegistry).resume('nightly-report');
    await waitForState('nightly-report', 'idle');
    expect(await page.evaluate(() => 'sameDocument' in globalThis)).toBe(true);
  });

  it('runs a task now and shows the new run, with its error and stack on the task page', async () => {
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click(`${row('flaky')} button[data-action="run"]`);
    await page.waitForSelector(`${row('flaky')} .last .s-failed`, WAIT);
    expect(await page.textContent(`${row('flaky')} .counters`)).toBe('1 failed');

    await page.click(`${row('flaky')} a`);
    await page.waitForSelector('#panel [data-panel-task="flaky"]', WAIT);
    await page.click('#panel details summary');
    // The poll task's runs refresh the page every second: the opened stack must stay open.
    const loaded = await page.getAttribute('body', 'data-loaded');
    await page.waitForSelector(`body:not([data-loaded="${loaded}"])`, WAIT);
    await page.waitForSelector('#panel details pre', { state: 'visible', ...WAIT });
    const stack = await page.textContent('#panel details pre');
    expect(stack).toContain('Error: upstream said no');
    expect(stack).toContain('ReportTasks.flaky');
    expect(await page.$$eval('#upcoming li', (items) => items.length)).toBe(10);
    await shot('task-page');
    await page.click('#panel button:text-is("Close")');
    await page.waitForSelector('#panel', { state: 'hidden', ...WAIT });
    await shot('overview');
  });

  it('answers 401 without the guard’s approval, on the page, the API and the stream', async () => {
    for (const path of ['', '/api/overview', '/api/tasks/poll', '/events']) {
      const response = await fetch(`${baseUrl}/aioclock${path}?token=wrong`);
      expect([path, response.status]).toEqual([path, 401]);
    }
    const denied = await browser.newPage();
    const response = await denied.goto(`${baseUrl}/aioclock`);
    expect(response?.status()).toBe(401);
    await denied.close();
    const run = await fetch(`${baseUrl}/aioclock/api/tasks/poll/run`, {
      method: 'POST',
      headers: { 'x-aioclock-dashboard': '1' },
    });
    expect(run.status).toBe(401);
  });

  it('app.close() ends with the page open, and the page says the server stopped', async () => {
    await page.waitForSelector('#live.on', WAIT);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('hung'), 20_000);
    });
    const closing = app!.close().then(() => 'closed');
    expect(await Promise.race([closing, hung])).toBe('closed');
    clearTimeout(timer);
    app = null;
    await page.waitForSelector('#live:text-is("server stopped")', WAIT);
  });
});
