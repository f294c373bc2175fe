/// <reference lib="dom" />
// The tab.evaluate callbacks run in the browser.
/**
 * The bench's section on the index page at 5,000 underlyings (`npm run bench`): the page's own weight, raw
 * and compressed as CloudFront serves it, and in real headless Chromium its first paint and a sort over
 * every row. The underlyings are SPY's real summary under 5,000 tickers (tests/support/summaries.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { analyse } from '../lambda/gamma/analyse';
import { parseChainText } from '../lambda/readers/detect';
import { renderIndexPage } from '../lambda/report/render';
import { DEFAULT_FRESHNESS, summarize } from '../lambda/report/screener';
import { synthesisedSummaries } from '../tests/support/summaries';
import { chromiumPath, missingChromium } from '../tests/prerequisites.cjs';

interface Report {
  heading(text: string): void;
  row(what: string, figure: string, target?: string, ok?: boolean): void;
}

const N = 5000;
const LOADS = 5;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) =>
  `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

export async function screenerPage(samples: string, { heading, row }: Report): Promise<void> {
  heading(`the index page at ${N.toLocaleString('en-US')} underlyings (headless Chromium, ${LOADS} loads)`);
  const spy = analyse(
    parseChainText(readFileSync(join(samples, 'cboe_SPY_2025-06-06.json'), 'utf8'), { origin: 'SPY' }),
  );
  const page = renderIndexPage(
    synthesisedSummaries(summarize(spy, [], DEFAULT_FRESHNESS), N),
    new Date(spy.asOf),
  );
  const gz = gzipSync(page).length;
  row('index.html, raw', kb(Buffer.byteLength(page)));
  row('index.html, gzipped', kb(gz), '≤ 512 kB', gz <= 512 * 1024);
  row('index.html, brotli', kb(brotliCompressSync(page).length));
  const missing = missingChromium();
  if (missing) return row('first paint', `not measured: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'gamma-screener-bench-'));
  const file = join(dir, 'index.html');
  writeFileSync(file, page);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox'],
  });
  const paints: number[] = [];
  const sorts: number[] = [];
  try {
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const tab = await context.newPage();
      await tab.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      paints.push(
        await tab.evaluate(
          () => performance.getEntriesByName('first-contentful-paint', 'paint')[0]?.startTime ?? NaN,
        ),
      );
      // The click's handler sorts all the rows and draws the first page, synchronously.
      sorts.push(
        await tab.evaluate(() => {
          const button = Array.from(document.querySelectorAll('#screener thead button')).find(
            (b) => b.textContent === 'Net GEX',
          ) as HTMLButtonElement;
          const start = performance.now();
          button.click();
          return performance.now() - start;
        }),
      );
      await context.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  row('first contentful paint, from disk', spread(paints), '≤ 1000 ms median', median(paints) <= 1000);
  row(
    `sort all ${N.toLocaleString('en-US')} rows by Net GEX and draw a page`,
    spread(sorts),
    '≤ 100 ms median',
    median(sorts) <= 100,
  );
}
