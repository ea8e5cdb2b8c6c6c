import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { TaskRegistry } from '../../lib/index.js';
import { startDashboardApp, TOKEN } from './dashboard-app.js';

// Review of the dashboard page (attack1): links and changes that left the page dead.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 15_000 };

let browser: Browser;
let app: INestApplication;
let baseUrl: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  ({ app, baseUrl } = await startDashboardApp());
}, 60_000);

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

describe('the dashboard page stays alive', () => {
  it('a link with a malformed task in its hash still shows the tasks and goes live', async () => {
    const page = await browser.newPage();
    // Was: decodeURIComponent threw in the first refresh, so the script stopped before connect().
    await page.goto(`${baseUrl}/aioclock?token=${TOKEN}#task=%E0%A4%A`);
    await page.waitForSelector('tr[data-task="poll"]', WAIT);
    await page.waitForSelector('#live.on', WAIT);
    expect(await page.locator('#panel').isHidden()).toBe(true); // nothing selected
    await page.close();
  }, 30_000);

  it('keeps refreshing when the task whose panel is open is removed', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/aioclock?token=${TOKEN}#task=flaky`);
    await page.waitForSelector('[data-panel-task="flaky"]', WAIT);
    app.get(TaskRegistry).removeTask('flaky');
    // Was: every refresh failed on the panel's 404, so the table kept the removed task for good.
    await page.waitForSelector('tr[data-task="flaky"]', { ...WAIT, state: 'detached' });
    await page.waitForSelector('#error:has-text("flaky")', WAIT);
    await page.close();
  }, 30_000);
});
