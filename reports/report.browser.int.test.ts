import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { abortedRun, failedRun, passingRun } from './testdata/fixture-runs.js';
import { writeRunReport } from './write-report.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(import.meta.dirname, 'artifacts');

describe('the HTML report in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;
  let out: string;
  /** Every URL the page asked for that is not a file:// URL: a self-contained report asks for none. */
  let fetched: string[];
  let consoleErrors: string[];
  let runPage: string;
  let indexPage: string;
  let abortedPage: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    out = await mkdtemp(path.join(tmpdir(), 'crucible-browser-'));
    await mkdir(ARTIFACTS, { recursive: true });
    const earlier = passingRun('2025-02-01T00:00:00.000Z');
    await writeRunReport(out, earlier.history, earlier.verdicts);
    const run = failedRun('2025-02-02T00:00:00.000Z');
    ({ runPage, indexPage } = await writeRunReport(out, run.history, run.verdicts));
    const aborted = abortedRun('2025-02-03T00:00:00.000Z');
    aborted.history.metadata.scenario.name = 'node-loss-aborted';
    ({ runPage: abortedPage } = await writeRunReport(out, aborted.history, aborted.verdicts));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  beforeEach(async () => {
    fetched = [];
    consoleErrors = [];
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) fetched.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  });

  afterEach(async () => {
    await page?.close();
    expect(fetched, 'requests beyond the file').to.deep.equal([]);
    expect(consoleErrors, 'console errors').to.deep.equal([]);
  });

  it('shows the verdict table, the charts and the shaded fault windows without any script', async () => {
    await page.goto(pathToFileURL(runPage).href);
    expect(await page.locator('#summary').isVisible()).to.equal(true);

    const rows = page.locator('table.verdict-table tbody tr.verdict-row');
    expect(await rows.count()).to.equal(4);
    expect(await rows.first().isVisible()).to.equal(true);
    expect(await rows.first().locator('td').first().innerText()).to.contain('echo-available');
    expect(await rows.first().locator('.badge').textContent()).to.equal('✘ fail');
    const failColour = await rows
      .first()
      .locator('.badge')
      .evaluate((e) => getComputedStyle(e).color);
    expect(failColour).to.equal('rgb(207, 34, 46)');

    const charts = page.locator('svg.timeline-chart');
    expect(await charts.count()).to.equal(6);
    for (const chart of await charts.all()) {
      expect(await chart.isVisible()).to.equal(true);
      const box = await chart.boundingBox();
      expect(box!.width).to.be.greaterThan(800);
    }
    expect(await page.locator('svg.timeline-chart path.line').count()).to.be.greaterThan(4);

    const windows = page.locator('svg rect.fault-window');
    expect(await windows.count()).to.equal(7); // the labelled band and six charts
    const shaded = await windows.first().boundingBox();
    expect(shaded!.width).to.be.greaterThan(100);
    expect(await page.locator('svg text.fault-label').first().textContent()).to.equal(
      'lose-worker-2: node-loss → worker-2',
    );
    expect(await page.locator('#aborted').count()).to.equal(0);

    await page.screenshot({ path: path.join(ARTIFACTS, 'run-report.png'), fullPage: true });
  });

  it('filters the event log by type with the checkboxes alone', async () => {
    await page.goto(pathToFileURL(runPage).href);
    const pods = page.locator('table.event-log tr.ev-pod');
    expect(await pods.count()).to.be.greaterThan(0);
    expect(await pods.first().isVisible()).to.equal(true);
    await page.locator('#evf-pod').uncheck();
    expect(await pods.first().isVisible()).to.equal(false);
    expect(await page.locator('table.event-log tr.ev-fault-inject').isVisible()).to.equal(true);
    await page.locator('#evf-pod').check();
    expect(await pods.first().isVisible()).to.equal(true);
  });

  it('shows the aborted banner on an aborted run', async () => {
    await page.goto(pathToFileURL(abortedPage).href);
    const banner = page.locator('#aborted');
    expect(await banner.isVisible()).to.equal(true);
    expect(await banner.innerText()).to.contain('Aborted during the faults phase: interrupted by SIGINT');
    expect(await page.locator('svg rect.fault-window.unhealed').count()).to.equal(7);
    await page.screenshot({ path: path.join(ARTIFACTS, 'aborted-report.png'), fullPage: true });
  });

  it('shows the index with every scenario, the score and the trends', async () => {
    await page.goto(pathToFileURL(indexPage).href);
    const rows = page.locator('tr.scenario-row');
    expect(await rows.count()).to.equal(2);
    expect(await page.locator('#score .value').innerText()).to.match(/^\d+(\.\d+)?$/);
    expect(await page.locator('#score').innerText()).to.contain('score = 100 ×');
    expect(await page.locator('.trend svg').first().isVisible()).to.equal(true);
    expect(await page.locator('.trend-cell').count()).to.equal(3);
    await page.locator('tr.scenario-row a').first().click();
    expect(page.url()).to.match(/\/index\.html$/);
    expect(await page.locator('h1').innerText()).to.match(/^node-loss/);
    await page.goto(pathToFileURL(indexPage).href);
    await page.screenshot({ path: path.join(ARTIFACTS, 'index.png'), fullPage: true });
  });
});
