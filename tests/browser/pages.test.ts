/// <reference lib="dom" />
// The page.evaluate callbacks run in the browser, so this file alone sees the DOM types.
import axe from 'axe-core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ReportRecord } from '../../lambda/types';
import { CONTENT_SECURITY_POLICY } from '../../lib/site';
import { analyse } from '../../lambda/gamma/analyse';
import { combineBook } from '../../lambda/gamma/book';
import { renderIndexPage, renderReportPage } from '../../lambda/report/render';
import { DEFAULT_FRESHNESS, summarize, type Summary } from '../../lambda/report/screener';
import { deribitBtc, secondVenueChain } from '../book-fixture';
import { loadFixture, ROOT } from '../helpers';
import { synthesisedSummaries } from '../support/summaries';
import { chromiumPath, inCI, javaCommand, missingChromium, missingJava } from '../prerequisites.cjs';

/**
 * The pages `npm start` writes, checked as a reader's browser sees them: real headless Chromium (Debian's
 * package), the Nu HTML checker and axe-core. Screenshots land in test-output/screenshots/ for review.
 */
const CHROMIUM = chromiumPath();
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const VNU = join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

let site: string;
let mail: string;
let browser: Browser;

// Outside CI a missing browser skips every test here and a missing Java the Nu checker's, and the summary
// line says why (tests/summary-reporter.cjs); under CI=true they run and fail with the same reason.
const noBrowser = missingChromium();
const noJava = missingJava();
const describe = noBrowser && !inCI() ? global.describe.skip : global.describe;
const itWithJava = noJava && !inCI() ? it.skip : it;

interface NuMessage {
  type: string;
  url: string;
  message: string;
}

/** The Nu HTML checker's errors on some files, or a plain error saying why it could not run. */
function nuErrors(files: string[]): NuMessage[] {
  if (noJava) throw new Error(noJava);
  const check = spawnSync(javaCommand(), ['-jar', VNU, '--errors-only', '--format', 'json', ...files], {
    encoding: 'utf8',
  });
  if (check.error) throw new Error(`the Nu HTML checker did not start: ${check.error.message}`);
  let report: { messages: NuMessage[] };
  try {
    report = JSON.parse(check.stderr) as { messages: NuMessage[] };
  } catch {
    throw new Error(
      `the Nu HTML checker exited ${check.status} without a JSON report: ${check.stderr.slice(0, 500)}`,
    );
  }
  if (check.status !== 0 && report.messages.length === 0) {
    throw new Error(
      `the Nu HTML checker exited ${check.status} with no message: ${check.stdout.slice(0, 500)}`,
    );
  }
  return report.messages;
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .map((f) => join(dir, f));
}

beforeAll(async () => {
  if (noBrowser) throw new Error(noBrowser);
  site = mkdtempSync(join(tmpdir(), 'gamma-site-'));
  mail = mkdtempSync(join(tmpdir(), 'gamma-mail-'));
  const cli = join(ROOT, 'dist', 'gamma-report.js');
  const args = ['--out', site, '--email-preview', mail, '--site-url', 'https://reports.example.com'];
  // What `npm start` writes, with the default settings: SPX 2023-06-09 follows 06-08 by one session.
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`gamma-report failed: ${run.stderr}`);
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(site, { recursive: true, force: true });
  rmSync(mail, { recursive: true, force: true });
});

interface Visit {
  page: Page;
  consoleErrors: string[];
  otherRequests: string[];
}

/** Opens a page from disk, recording console errors and any request other than the page itself. */
async function visit(
  path: string,
  options: { width?: number; colorScheme?: 'light' | 'dark'; root?: string } = {},
): Promise<Visit> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const url = pathToFileURL(join(options.root ?? site, path)).href;
  const consoleErrors: string[] = [];
  const otherRequests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => r.url() !== url && otherRequests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, consoleErrors, otherRequests };
}

async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  // At the 1280 px the checks run at, the phone drawing of each chart is hidden: axe would only walk it to find
  // it hidden, a quarter of its time on a report page.
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(
      { exclude: [['.size-narrow']] },
      { resultTypes: ['violations'] },
    ),
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

const CHARTED = ['index.html', 'SPX/latest.html', 'BTC/latest.html', 'ETH/latest.html', 'SPY/latest.html'];
const PAGES = [...CHARTED, 'SPX/index.html', 'SPX/2023-05-19.html', 'SPX/2023-06-09.html'];

describe('generated pages', () => {
  itWithJava('are valid HTML: the Nu checker reports no error on any page', () => {
    const files = htmlFiles(site);
    expect(files.map((f) => relative(site, f))).toEqual(expect.arrayContaining(PAGES));
    const messages = nuErrors(files);
    expect(messages.map((m) => `${relative(site, new URL(m.url).pathname)}: ${m.message}`)).toEqual([]);
  });

  it('keep the SPX page under 400 KB', () => {
    expect(statSync(join(site, 'SPX', 'latest.html')).size).toBeLessThan(400 * 1024);
  });

  it.each(PAGES)('%s opens with no console error and no network request', async (path) => {
    const { page, consoleErrors, otherRequests } = await visit(path);
    expect(consoleErrors).toEqual([]);
    expect(otherRequests).toEqual([]);
    await page.context().close();
  });

  it.each(
    CHARTED.filter((p) => p !== 'index.html').flatMap((path) =>
      [375, 1280].map((width) => [path, width] as const),
    ),
  )(
    '%s at %d px shows one drawing of each chart, filling its width with labels of at least 10 px',
    async (path, width) => {
      const { page } = await visit(path, { width });
      const figures = await page.$$eval('figure.chart', (figs) =>
        figs.map((f) => {
          const shown = Array.from(f.querySelectorAll('svg')).filter(
            (s) => s.getBoundingClientRect().width > 0,
          );
          const svg = shown[0];
          const box = svg?.getBoundingClientRect();
          const label = svg?.querySelector('.axis text')?.getBoundingClientRect();
          return {
            shown: shown.length,
            fill: box ? box.width / f.getBoundingClientRect().width : 0,
            height: box?.height ?? 0,
            labelPx: label?.height ?? 0,
          };
        }),
      );
      expect(figures.length).toBeGreaterThan(0);
      for (const f of figures) {
        expect(f.shown).toBe(1);
        expect(f.fill).toBeGreaterThan(0.95);
        expect(f.height).toBeGreaterThan(100);
        // A 12 px label scaled with its drawing: at least 10 px on the screen.
        expect(f.labelPx).toBeGreaterThanOrEqual(10);
      }
      await page.context().close();
    },
  );

  // One test per page and scheme: axe takes seconds on a report page, more on a busy machine, and each test's
  // time limit is for one such run, not for sixteen.
  it.each((['light', 'dark'] as const).flatMap((scheme) => PAGES.map((path) => [path, scheme] as const)))(
    '%s has no serious or critical axe violation in the %s scheme',
    async (path, colorScheme) => {
      const { page } = await visit(path, { colorScheme });
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.context().close();
    },
  );

  it.each([
    [
      1280,
      [
        'gex-by-strike-wide',
        'dex-by-strike-narrow',
        'vex-by-strike-narrow',
        'cex-by-strike-narrow',
        'gamma-profile-wide',
        'gex-by-expiry-wide',
        'heatmap-wide',
        'history-levels-wide',
        'history-gex-wide',
        'evidence-moves-wide',
        'evidence-rates-wide',
      ],
    ],
    [
      375,
      [
        'gex-by-strike-narrow',
        'dex-by-strike-narrow',
        'vex-by-strike-narrow',
        'cex-by-strike-narrow',
        'gamma-profile-narrow',
        'gex-by-expiry-narrow',
        'heatmap-narrow',
        'history-levels-narrow',
        'history-gex-narrow',
        'evidence-moves-narrow',
        'evidence-rates-narrow',
      ],
    ],
  ] as const)('draws the SPX charts at %d px, each with a text alternative', async (width, ids) => {
    const { page } = await visit('SPX/latest.html', { width });
    const charts = await page.$$eval('svg[role="img"]', (svgs) =>
      svgs
        .filter((s) => s.getBoundingClientRect().width > 0)
        .map((s) => ({
          id: s.id,
          name: s.querySelector('title')?.textContent,
          desc: s.querySelector('desc')?.textContent,
        })),
    );
    expect(charts.map((c) => c.id)).toEqual(ids);
    for (const c of charts) expect(`${c.name} ${c.desc}`.length).toBeGreaterThan(60);
    expect(charts.find((c) => c.id.startsWith('history-levels'))!.desc).toMatch(
      /^6 reports from 2023-05-19 to 2023-09-14/,
    );
    await page.context().close();
  });
});

/** A displayed amount back to a number: `4,505.10`, `+$16.1bn`, `−$402.5m`. */
function displayed(text: string): number {
  const m = /([+\u2212-]?)\$?([\d,]+(?:\.\d+)?)(bn|m|k)?/.exec(text.trim())!;
  const scale = { bn: 1e9, m: 1e6, k: 1e3 }[m[3] as 'bn'] ?? 1;
  return (m[1] === '\u2212' || m[1] === '-' ? -1 : 1) * Number(m[2]!.replace(/,/g, '')) * scale;
}

describe.each(['SPX', 'BTC', 'ETH', 'SPY'])('the %s page', (symbol) => {
  it('shows the spot, net GEX and flip of its JSON record, to display precision', async () => {
    const record = JSON.parse(readFileSync(join(site, symbol, 'latest.json'), 'utf8')) as ReportRecord;
    const { page } = await visit(`${symbol}/latest.html`);
    const field = (name: string) => page.textContent(`[data-field="${name}"]`).then((t) => t ?? '');
    expect(Math.abs(displayed(await field('spot')) - record.spot)).toBeLessThanOrEqual(0.005);
    const gex = await field('net-gex');
    const unit = gex.endsWith('bn') ? 1e9 : gex.endsWith('m') ? 1e6 : 1e3;
    expect(Math.abs(displayed(gex) - record.totals.netGex)).toBeLessThanOrEqual(0.05 * unit);
    expect(Math.abs(displayed(await field('flip')) - record.flip.level!)).toBeLessThanOrEqual(0.005);
    await page.context().close();
  });
});

describe('served with the CloudFront response headers', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = join(site, decodeURIComponent((req.url ?? '/').split('?')[0]!));
      try {
        const body = readFileSync(path.endsWith('/') ? join(path, 'index.html') : path);
        res.writeHead(200, {
          'content-type': path.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8',
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
        });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each(PAGES)('%s satisfies the Content-Security-Policy: no violation, nothing blocked', async (path) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/${path}`, { waitUntil: 'load' });
    const styled = await page.$eval('body', (b) => getComputedStyle(b).maxWidth);
    expect(problems).toEqual([]);
    // The inline stylesheet applied: 72rem, or 90rem for the wide screener.
    expect(styled).toBe(path === 'index.html' ? '1440px' : '1152px');
    if (path === 'index.html') {
      // The screener's script ran under the policy: it shows its controls and counts the rows.
      expect(await page.$eval('#controls', (c) => (c as HTMLElement).hidden)).toBe(false);
      expect(await page.$eval('#shown', (o) => o.textContent)).toBe('5 of 5');
    }
    await context.close();
  });

  it('blocks any other inline script: the policy allows the screener’s by its hash alone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${base}/index.html`, { waitUntil: 'load' });
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'document.title = "injected"';
      document.body.appendChild(s);
    });
    expect(await page.title()).toBe('Market gamma report: screener');
    expect(problems.join('\n')).toMatch(/Content Security Policy/);
    await context.close();
  });
});

describe('the daily email', () => {
  it.each([375, 1280])(
    'renders at %d px with no console error, no request and no sideways scroll',
    async (width) => {
      const { page, consoleErrors, otherRequests } = await visit('email.html', { width, root: mail });
      expect(consoleErrors).toEqual([]);
      expect(otherRequests).toEqual([]);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await page.$$('script, svg, link[rel="stylesheet"]')).toHaveLength(0);
      const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
      expect(links.every((h) => h!.startsWith('https://reports.example.com/'))).toBe(true);
      await page.screenshot({ path: join(SHOTS, `email-${width}.png`), fullPage: true });
      await page.context().close();
    },
  );
});

describe('the change since the previous report', () => {
  it.each([375, 1280])('shows the levels’ moves and the open-interest chart at %d px', async (width) => {
    const { page } = await visit('SPX/2023-06-09.html', { width });
    expect(await page.textContent('[data-field="change-line"]')).toMatch(
      /^Flip \+8\.47 to 4,240\.50; call wall 4,300 → 4,320; put wall 4,000 → 4,300; largest OI build: 4,000 puts \+74,690\. Compared with the report of 2023-06-08 19:56 EDT, 1 session earlier\./,
    );
    const cards = await page.$$eval('.moves dt', (dts) => dts.map((d) => d.textContent));
    expect(cards).toEqual(['Spot', 'Net GEX', 'Gamma flip', 'Call wall', 'Put wall']);
    const chart = await page.$$eval('svg[id^="oi-change"]', (svgs) =>
      svgs.filter((s) => s.getBoundingClientRect().width > 0).map((s) => s.id),
    );
    expect(chart).toEqual([width < 600 ? 'oi-change-narrow' : 'oi-change-wide']);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, `SPX-2023-06-09-${width}.png`), fullPage: true });
    await page.context().close();
  });

  it('says how old the last report is, and compares nothing, when it is too old', async () => {
    const { page } = await visit('SPX/latest.html');
    expect(await page.textContent('[data-field="change-line"]')).toMatch(
      /^The previous report is 97 days earlier: too old to compare\./,
    );
    expect(await page.$$('.moves')).toHaveLength(0);
    await page.context().close();
  });
});

describe('the screener', () => {
  /** The symbols of the rows shown, top to bottom. */
  const shown = (page: Page) =>
    page.$$eval('#screener tbody tr', (rows) =>
      rows.filter((r) => !(r as HTMLElement).hidden).map((r) => r.getAttribute('data-symbol')),
    );
  const rows = () =>
    JSON.parse(readFileSync(join(site, 'screener.json'), 'utf8')) as {
      symbol: string;
      netGex: number;
      flipDistancePct: number | null;
    }[];

  it('sorts by a column on click, largest first for sizes, and the other way on a second click', async () => {
    const { page } = await visit('index.html');
    const byGex = rows()
      .sort((a, b) => b.netGex - a.netGex)
      .map((r) => r.symbol);
    await page.click('#screener thead button:text-is("Net GEX")');
    expect(await shown(page)).toEqual(byGex);
    expect(await page.$eval('#screener thead th:nth-child(4)', (th) => th.getAttribute('aria-sort'))).toBe(
      'descending',
    );
    await page.click('#screener thead button:text-is("Net GEX")');
    expect(await shown(page)).toEqual([...byGex].reverse());
    await page.context().close();
  });

  it('ranks by distance to the flip, nearest first, from the sort menu as on a phone', async () => {
    const { page } = await visit('index.html', { width: 375 });
    const nearest = rows()
      .sort((a, b) => Math.abs(a.flipDistancePct!) - Math.abs(b.flipDistancePct!))
      .map((r) => r.symbol);
    await page.selectOption('#sort-by', { label: 'Spot vs flip' });
    expect(await shown(page)).toEqual(nearest);
    await page.context().close();
  });

  it('filters by symbol and by regime, counting what it shows', async () => {
    const { page } = await visit('index.html');
    await page.fill('#filter', 'sp');
    expect(await shown(page)).toEqual(['SPX', 'SPY']);
    expect(await page.textContent('#shown')).toBe('2 of 5');
    await page.fill('#filter', '');
    await page.selectOption('#regime', 'negative');
    expect(await shown(page)).toEqual([]);
    expect(await page.textContent('#shown')).toBe('0 of 5');
    await page.selectOption('#regime', 'positive');
    expect(await shown(page)).toEqual(['BTC', 'BTC-BYBIT', 'ETH', 'SPX', 'SPY']);
    await page.context().close();
  });
});

describe('the screener at 5,000 rows', () => {
  // 5,000 underlyings made from SPY's real summary (tests/support/summaries.ts), as a long watchlist's index.
  let dir: string;
  let entries: Summary[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gamma-screener-'));
    entries = synthesisedSummaries(
      summarize(analyse(loadFixture('cboe_SPY_2025-06-06.json')), [], DEFAULT_FRESHNESS),
      5000,
    );
    writeFileSync(join(dir, 'index.html'), renderIndexPage(entries, new Date('2025-06-09T13:00:00Z')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const symbols = (page: Page) =>
    page.$$eval('#screener tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-symbol')));
  const range = (page: Page) => page.textContent('.pager .range');
  const bySymbol = () => entries.map((e) => e.row.symbol).sort();

  it('opens on the first 100 by name, counting all 5,000, with nothing else requested', async () => {
    const { page, consoleErrors, otherRequests } = await visit('index.html', { root: dir });
    expect(consoleErrors).toEqual([]);
    expect(otherRequests).toEqual([]);
    expect(await symbols(page)).toEqual(bySymbol().slice(0, 100));
    expect(await page.textContent('#shown')).toBe('5,000 of 5,000');
    expect(await range(page)).toBe('Showing 1–100 of 5,000, page 1 of 50');
    expect(await page.isVisible('#first-rows')).toBe(false);
    await page.context().close();
  });

  it('sorts all rows by a column: the top row is the largest Net GEX of the 5,000, then the smallest', async () => {
    const { page } = await visit('index.html', { root: dir });
    const gex = entries.map((e) => e.row).sort((a, b) => b.netGex - a.netGex);
    await page.click('#screener thead button:text-is("Net GEX")');
    expect((await symbols(page)).slice(0, 3)).toEqual(gex.slice(0, 3).map((r) => r.symbol));
    await page.click('.pager [data-go="last"]');
    expect((await symbols(page)).at(-1)).toBe(gex.at(-1)!.symbol);
    await page.click('#screener thead button:text-is("Net GEX")');
    expect(await range(page)).toBe('Showing 1–100 of 5,000, page 1 of 50');
    expect((await symbols(page))[0]).toBe(gex.at(-1)!.symbol);
    await page.context().close();
  });

  it('sorts names without a vol ratio last, largest first from the sort menu', async () => {
    const { page } = await visit('index.html', { width: 390, root: dir });
    const rows = entries.map((e) => e.row);
    const none = rows.filter((r) => r.volRatio === null).map((r) => r.symbol);
    await page.selectOption('#sort-by', { label: 'Vol ratio' });
    const top = rows.reduce((a, b) => ((b.volRatio ?? -1) > (a.volRatio ?? -1) ? b : a));
    expect((await symbols(page))[0]).toBe(top.symbol);
    await page.click('.pager [data-go="last"]');
    expect(await symbols(page)).toEqual(none.sort().slice(-100));
    await page.context().close();
  });

  it('filters all rows: a name on page 44 is found, and the regimes are counted with separators', async () => {
    const { page } = await visit('index.html', { root: dir });
    const late = bySymbol()[4321]!;
    expect(await symbols(page)).not.toContain(late);
    await page.fill('#filter', late.toLowerCase());
    expect(await symbols(page)).toEqual([late]);
    expect(await page.textContent('#shown')).toBe('1 of 5,000');
    expect(await page.isVisible('.pager')).toBe(false);
    await page.fill('#filter', '');
    await page.selectOption('#regime', 'negative');
    const negative = entries.filter((e) => e.row.regime === 'negative').length;
    expect(await page.textContent('#shown')).toBe(`${negative.toLocaleString('en-US')} of 5,000`);
    expect(await range(page)).toBe(
      `Showing 1–100 of ${negative.toLocaleString('en-US')}, page 1 of ${Math.ceil(negative / 100)}`,
    );
    await page.context().close();
  });

  it('pages with the keyboard, forward and back, to the last page and no further', async () => {
    const { page } = await visit('index.html', { root: dir });
    await page.focus('.pager [data-go="next"]');
    await page.keyboard.press('Enter');
    expect(await range(page)).toBe('Showing 101–200 of 5,000, page 2 of 50');
    expect(await symbols(page)).toEqual(bySymbol().slice(100, 200));
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await range(page)).toBe('Showing 1–100 of 5,000, page 1 of 50');
    await page.click('.pager:last-of-type [data-go="last"]');
    expect(await range(page)).toBe('Showing 4,901–5,000 of 5,000, page 50 of 50');
    expect(await page.$eval('.pager [data-go="next"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect(await page.$eval('.pager [data-go="previous"]', (b) => (b as HTMLButtonElement).disabled)).toBe(
      false,
    );
    await page.context().close();
  });

  it('draws the rows exactly as the page without JavaScript lists them', async () => {
    const rowsOf = (page: Page) =>
      page.$$eval('#screener tbody tr', (trs) => trs.map((tr) => tr.outerHTML.replace(/>\s+</g, '><')));
    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await plain.goto(pathToFileURL(join(dir, 'index.html')).href);
    expect(await plain.isVisible('#first-rows')).toBe(true);
    expect(await plain.isVisible('#controls')).toBe(false);
    const { page } = await visit('index.html', { root: dir });
    expect(await rowsOf(page)).toEqual(await rowsOf(plain));
    await context.close();
    await page.context().close();
  });

  it.each([390, 1280])('scrolls nothing sideways at %d px', async (width) => {
    const { page } = await visit('index.html', { width, root: dir });
    expect(await overflowing(page)).toEqual([]);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, `screener-5000-${width}.png`) });
    await page.context().close();
  });

  it.each(['light', 'dark'] as const)(
    'has no serious or critical axe violation in the %s scheme',
    async (colorScheme) => {
      const { page } = await visit('index.html', { colorScheme, root: dir });
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.context().close();
    },
  );
});

/**
 * Every HTML element whose content is wider than its box, so that it is cut off or scrolls sideways inside it
 * (the document's own width shows neither). A 1 px box is a visually hidden header, clipped on purpose; the
 * charts' insides are SVG, drawn to their box (checked above).
 */
const overflowing = (page: Page) =>
  page.$$eval('body *', (elements) =>
    elements
      .filter((e) => e instanceof HTMLElement && e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${e.className}: ${e.scrollWidth} > ${e.clientWidth} px, "${(e.textContent ?? '').trim().slice(0, 30)}"`,
      ),
  );

describe('layout', () => {
  it.each(PAGES)(
    '%s at 1280 and 375 px cuts no number off and scrolls nothing sideways, the page or any box in it',
    async (path) => {
      const { page } = await visit(path, { width: 1280 });
      const heights: number[] = [];
      for (const width of [1280, 375]) {
        // The same page, resized: the media queries apply as on a phone.
        await page.setViewportSize({ width, height: 900 });
        expect({ width, overflowing: await overflowing(page) }).toEqual({ width, overflowing: [] });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
        heights.push(await page.evaluate(() => document.documentElement.scrollHeight));
      }
      if (CHARTED.includes(path) && path !== 'index.html') {
        // A long table folds or drops columns on a phone rather than turning into a card per row: the SPX
        // page stood at 2.7 times its desktop height with the by-expiry table as 49 cards.
        expect(heights[1]! / heights[0]!).toBeLessThanOrEqual(1.5);
      }
      if (path === 'SPX/latest.html' || path === 'index.html') {
        await page.screenshot({ path: join(SHOTS, `${path.replace(/\W+/g, '-')}phone.png`), fullPage: true });
      }
      await page.context().close();
    },
  );

  it('prints the charts at the page width', async () => {
    const { page } = await visit('SPX/latest.html');
    await page.emulateMedia({ media: 'print' });
    const widths = await page.$$eval('svg[role="img"]', (s) =>
      s.map((e) => e.getBoundingClientRect().width).filter((w) => w > 0),
    );
    expect(widths.length).toBe(11);
    for (const w of widths) expect(w).toBeGreaterThan(300);
    await page.context().close();
  });

  it('saves the first screen of the SPX page (the README picture)', async () => {
    const { page } = await visit('SPX/latest.html');
    await page.screenshot({ path: join(SHOTS, 'SPX-overview.png') });
    await page.context().close();
  });

  it.each([
    ['SPX/latest.html', 'light'],
    ['BTC/latest.html', 'light'],
    ['SPX/latest.html', 'dark'],
    ['index.html', 'light'],
  ] as const)('saves a full-page screenshot of %s (%s) for review', async (path, colorScheme) => {
    const { page } = await visit(path, { colorScheme });
    const file = join(SHOTS, `${path.replace(/\W+/g, '-')}${colorScheme}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20000);
    await page.context().close();
  });
});

describe('the evidence section, after a backfill of the bundled 42-day series', () => {
  let history: string;
  beforeAll(() => {
    history = mkdtempSync(join(tmpdir(), 'gamma-history-'));
    const cli = join(ROOT, 'dist', 'gamma-report.js');
    for (const args of [[], ['--backfill', join(ROOT, 'samples', 'series', 'deribit')]]) {
      const run = spawnSync(process.execPath, [cli, '--out', history, ...args], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`gamma-report ${args.join(' ')} failed: ${run.stderr}`);
    }
  }, 60000);
  afterAll(() => rmSync(history, { recursive: true, force: true }));

  const evidenceOf = (symbol: string) =>
    JSON.parse(readFileSync(join(history, symbol, 'evidence.json'), 'utf8')) as {
      pairs: number;
      volRatio: number;
      byRegime: { positive: { n: number }; negative: { n: number } };
      mannWhitney: { p: number };
      spearman: { n: number };
    };

  it.each([390, 1280])(
    'shows BTC’s evidence at %d px as in evidence.json, with its limits, and nothing scrolls sideways',
    async (width) => {
      const { page, consoleErrors, otherRequests } = await visit('BTC/latest.html', { width, root: history });
      expect(consoleErrors).toEqual([]);
      expect(otherRequests).toEqual([]);
      const e = evidenceOf('BTC');
      const field = (name: string) => page.textContent(`[data-field="${name}"]`).then((t) => t ?? '');
      expect(Number(await field('evidence-n-positive'))).toBe(e.byRegime.positive.n);
      expect(Number(await field('evidence-n-negative'))).toBe(e.byRegime.negative.n);
      expect(Math.abs(parseFloat(await field('vol-ratio')) - e.volRatio)).toBeLessThanOrEqual(0.005);
      const sentence = await field('evidence-sentence');
      expect(sentence).toContain(`Over ${e.pairs} pairs of reports`);
      expect(sentence).toContain(`p = ${e.mannWhitney.p.toFixed(2)}`);
      const section = (await page.textContent('section[aria-labelledby="evidence-h"]')) ?? '';
      expect(section).toContain('Descriptive, not a trading signal.');
      expect(section).toContain('Close to close only');
      // One drawing of each chart, a dot for every pair with a tilt.
      const drawn = await page.$$eval('svg[id^="evidence-"]', (svgs) =>
        svgs
          .filter((s) => s.getBoundingClientRect().width > 0)
          .map((s) => [s.id, s.querySelectorAll('circle').length]),
      );
      const size = width < 600 ? 'narrow' : 'wide';
      expect(drawn).toEqual([
        [`evidence-moves-${size}`, e.spearman.n],
        [`evidence-rates-${size}`, 0],
      ]);
      // No element of the section wider than its box, and nothing on the page that scrolls sideways.
      const wide = await page.evaluate(() => {
        const out: string[] = [];
        const section = document.querySelector('section[aria-labelledby="evidence-h"]')!;
        for (const el of [section, ...Array.from(section.querySelectorAll('*'))]) {
          if (el instanceof SVGElement && el.tagName !== 'svg') continue;
          if (el.scrollWidth > el.clientWidth + 1)
            out.push(`${el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`);
        }
        for (const el of Array.from(document.querySelectorAll('*'))) {
          const x = getComputedStyle(el).overflowX;
          if ((x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1)
            out.push(`scrolls: ${el.tagName}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
        }
        const doc = document.documentElement;
        if (doc.scrollWidth > doc.clientWidth) out.push(`the page: ${doc.scrollWidth} > ${doc.clientWidth}`);
        return out;
      });
      expect(wide).toEqual([]);
      const shot = await page.$('section[aria-labelledby="evidence-h"]');
      await shot!.screenshot({ path: join(SHOTS, `evidence-BTC-${width}.png`) });
      await page.context().close();
    },
  );

  it('says “not enough history” for SPX, whose samples make 2 pairs', async () => {
    const { page } = await visit('SPX/latest.html', { root: history });
    expect(await page.textContent('[data-field="evidence-sentence"]')).toBe(
      `Not enough history: ${evidenceOf('SPX').pairs} pairs of reports, 20 needed.`,
    );
    await page.context().close();
  });

  it.each(['light', 'dark'] as const)(
    'has no serious or critical axe violation in the %s scheme',
    async (colorScheme) => {
      const { page } = await visit('BTC/latest.html', { colorScheme, root: history });
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.context().close();
    },
  );

  itWithJava('is valid HTML, charts and all', () => {
    expect(nuErrors([join(history, 'BTC', 'latest.html'), join(history, 'index.html')])).toEqual([]);
  });

  it('puts the vol ratio on the screener, sortable', async () => {
    const { page } = await visit('index.html', { root: history });
    const cell = await page.$eval(
      '#screener tbody tr[data-symbol="BTC"] td[data-label="Vol ratio"]',
      (td) => td.textContent,
    );
    expect(cell).toBe(`${evidenceOf('BTC').volRatio.toFixed(2)}×`);
    // Largest first; SPX, with too little history, has none and comes last.
    await page.click('#screener thead button:text-is("Vol ratio")');
    const order = await page.$$eval('#screener tbody tr', (trs) =>
      trs.map((tr) => tr.getAttribute('data-symbol')),
    );
    const ranked = ['BTC', 'ETH'].sort((a, b) => evidenceOf(b).volRatio - evidenceOf(a).volRatio);
    expect(order.slice(0, 2)).toEqual(ranked);
    await page.context().close();
  });
});

describe('a book of two venues', () => {
  // The second venue is the real Deribit chain scaled into another venue's shape (tests/book-fixture.ts): no
  // whole chain of a second venue is recorded. In one book its snapshot is 3 minutes after Deribit's; in the
  // other, 20 minutes, and it is left out.
  let dir: string;
  let record: ReportRecord;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gamma-book-'));
    const deribit = deribitBtc();
    record = analyse(
      combineBook([deribit, secondVenueChain(deribit, { minutesLater: 3, oiScale: 0.4 })]).chain,
    );
    const late = analyse(combineBook([deribit, secondVenueChain(deribit, { minutesLater: 20 })]).chain);
    mkdirSync(join(dir, 'BTC'));
    writeFileSync(join(dir, 'BTC', 'latest.html'), renderReportPage(record));
    writeFileSync(join(dir, 'BTC', 'left-out.html'), renderReportPage(late));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([390, 1280])(
    'shows the venues table and the stacked chart at %d px, with a text alternative, nothing scrolling sideways',
    async (width) => {
      const { page, consoleErrors, otherRequests } = await visit('BTC/latest.html', { width, root: dir });
      expect(consoleErrors).toEqual([]);
      expect(otherRequests).toEqual([]);
      const rows = await page.$$eval('table[data-field="venues"] tbody tr', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-venue'), tr.querySelector('td:nth-of-type(2)')?.textContent]),
      );
      expect(rows).toEqual(record.venues!.map((v) => [v.venue, `${(v.share * 100).toFixed(1)}%`]));
      const size = width < 600 ? 'narrow' : 'wide';
      const charts = await page.$$eval('svg[id^="venue-gex-by-strike"]', (svgs) =>
        svgs
          .filter((s) => s.getBoundingClientRect().width > 0)
          .map((s) => ({
            id: s.id,
            desc: s.querySelector('desc')?.textContent ?? '',
            colours: [
              ...new Set(Array.from(s.querySelectorAll('.bars rect')).map((r) => r.getAttribute('class'))),
            ],
          })),
      );
      expect(charts).toEqual([
        {
          id: `venue-gex-by-strike-${size}`,
          desc: expect.stringMatching(/shares of gross gamma: Deribit 71%, Bybit 29%/),
          colours: ['v1', 'v2'],
        },
      ]);
      expect(await page.textContent('[data-field="venues-read"]')).toMatch(/^Venues read: Deribit, Bybit\. /);
      expect(await overflowing(page)).toEqual([]);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const shot = await page.$('section[aria-labelledby="venues-h"]');
      await shot!.screenshot({ path: join(SHOTS, `book-BTC-venues-${width}.png`) });
      await page.context().close();
    },
  );

  it.each(['light', 'dark'] as const)(
    'has no serious or critical axe violation in the %s scheme',
    async (colorScheme) => {
      const { page } = await visit('BTC/latest.html', { colorScheme, root: dir });
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.context().close();
    },
  );

  it('says which venue was left out and why, in the venues section and the assumptions', async () => {
    const { page } = await visit('BTC/left-out.html', { root: dir });
    expect(await page.textContent('[data-field="venues-read"]')).toMatch(
      /^Venues read: Deribit; left out: Bybit \(its snapshot 2026-03-13T19:20:15\.542Z is 20 min from the book’s 2026-03-13T19:00:15\.542Z \(Deribit’s\), more than 15 min\)\./,
    );
    expect(await page.textContent('section[aria-labelledby="venues-h"] p')).toMatch(
      /Bybit was left out: its snapshot/,
    );
    expect(await page.$$('svg[id^="venue-gex-by-strike"]')).toHaveLength(0);
    await page.context().close();
  });

  itWithJava('is valid HTML', () => {
    expect(nuErrors([join(dir, 'BTC', 'latest.html'), join(dir, 'BTC', 'left-out.html')])).toEqual([]);
  });
});
