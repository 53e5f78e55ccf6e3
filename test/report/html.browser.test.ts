// The HTML report rendered by real headless Chromium (Debian's), driven by playwright-core.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { ROOT, fixture, runCli } from '../helpers/cli.js';
import { hasTool } from '../helpers/tools.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test/artifacts');
const hasChromium = hasTool('chromium');

let dir: string;
let browser: BrowserContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-html-'));
  if (!hasChromium) return;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1100, height: 900 },
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The report of `args` as a page and as JSON (the truth for what the page must draw). */
async function reportOf(name: string, args: string[], input?: string): Promise<{ page: string; report: Report }> {
  const page = join(dir, `${name}.html`);
  const html = await runCli(['report', ...args, '-o', page], { input });
  expect(html).toMatchObject({ code: 0, stderr: '' });
  const json = await runCli(['report', ...args, '--format', 'json'], { input });
  return { page, report: JSON.parse(json.stdout.toString()) as Report };
}

/** Opens a page, noting console errors, page errors and every request but the page's own. */
async function open(path: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(path).href;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests };
}

const nonZero = (rows: number[][]) => rows.flat().filter((n) => n > 0).length;

describe.runIf(hasChromium)('the HTML report in Chromium', () => {
  it('draws every chart with a bar for each count, with no console error and no request', async () => {
    // A path relative to the clone (the CLI runs there), as the page's title shows it.
    const { page: path, report } = await reportOf('incident', ['--by', 'client_id', '--by', 'tenant', 'fixtures/incident.ndjson.gz']);
    const { page, problems, requests } = await open(path);
    const bars = (chart: string) => page.locator(`[data-chart="${chart}"] rect.bar`);
    const timeline = report.timeline!;
    expect(timeline.starts.length).toBe(36);
    expect(await bars('timeline-outcomes').count()).toBe(nonZero(Object.values(timeline.outcomes)));
    expect(await bars('timeline-failures').count()).toBe(nonZero(timeline.failureCategories.map((c) => c.counts)));
    for (const kind of ['http', 'error', 'failure', 'response'] as const) {
      expect(await bars(`codes-${kind}`).count(), kind).toBe(report.kinds[kind].codes.length);
    }
    // Drawn, not just present: every bar has a size on the page.
    const sizes = await page.locator('rect.bar').evaluateAll((rects) => rects.map((rect) => rect.getBoundingClientRect()).map((box) => box.width * box.height));
    expect(sizes.length).toBeGreaterThan(100);
    expect(sizes.every((area) => area > 0)).toBe(true);
    // The descriptions are the vendor's, beside their bars.
    await expect(page.locator('[data-chart="codes-error"]').textContent()).resolves.toContain('License for feature has expired');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    // The README's picture (docs/report.png is a copy): the summary and the charts.
    await page.screenshot({ path: join(ARTIFACTS, 'report-top.png'), fullPage: true, clip: { x: 0, y: 0, width: 1100, height: 1480 } });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(ARTIFACTS, 'report-print.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('prints to PDF', async () => {
    const { page: path } = await reportOf('print', [fixture('incident.ndjson.gz')]);
    const { page } = await open(path);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'report.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  it('says so when the input is empty, and draws no chart', async () => {
    const { page: path } = await reportOf('empty', [], '');
    const { page, problems, requests } = await open(path);
    await expect(page.locator('[data-empty]').textContent()).resolves.toContain('The input is empty');
    expect(await page.locator('svg.chart').count()).toBe(0);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
