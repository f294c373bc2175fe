import { analyse } from '../lambda/gamma/analyse';
import { runtimeFromEnv, type RuntimeConfig } from '../lambda/handlers/config';
import { aggregateHandler, type MapOutcome } from '../lambda/handlers/aggregate';
import { FAILURES, type FailureName } from '../lambda/contract';
import { PUT_OPTIONS } from '../lambda/publish';
import { DEFAULT_FRESHNESS, PAGE_ROWS, summarize, type ScreenerData } from '../lambda/report/screener';
import type { Store } from '../lambda/store/store';
import { loadFixture } from './helpers';
import { startS3, type LocalS3 } from './support/s3';

/**
 * A watchlist of 500 underlyings through the aggregate step, on a real S3 API (s3rver): what Step Functions
 * hands it stays far below the 256 KB state limit, and the step reads one small summary per underlying
 * and nothing of the archive. 500 summaries are written as the per-underlying function would (SPY's, renamed).
 */
const N = 500;
const symbols = Array.from({ length: N }, (_, i) => `T${String(i).padStart(3, '0')}`);
let s3: LocalS3;
let config: RuntimeConfig;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // The metric line is checked in tests/handlers.test.ts; here it would only fill the test log.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  s3 = await startS3();
  config = {
    ...runtimeFromEnv({ BUCKET_NAME: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_REGION: 'us-east-1' }),
    now: () => new Date('2025-06-09T13:00:00Z'),
  };
  const spy = analyse(loadFixture('cboe_SPY_2025-06-06.json'));
  const limit = 16;
  for (let i = 0; i < N; i += limit) {
    await Promise.all(
      symbols.slice(i, i + limit).map(async (symbol, j) => {
        const summary = summarize(
          { ...spy, symbol, totals: { ...spy.totals, tilt: (i + j) / N - 0.5 } },
          [],
          DEFAULT_FRESHNESS,
        );
        await config.store.put(`${symbol}/summary.json`, JSON.stringify(summary), PUT_OPTIONS.liveJson);
        // An archive the index must not read.
        await config.store.put(`${symbol}/2025-06-06.json`, '{}', PUT_OPTIONS.datedJson);
      }),
    );
  }
});

afterAll(async () => {
  await s3.close();
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
});

/** 500 results as the map hands them on, a tenth failed under the longest failure name. */
const results: MapOutcome[] = symbols.map((symbol, i) => {
  const longest = (Object.keys(FAILURES) as FailureName[]).sort((a, b) => b.length - a.length)[0]!;
  return i % 10 === 0
    ? { symbol, status: 'failed', error: longest }
    : { symbol, status: 'published', asOf: '2025-06-08T12:49:38.000Z', latest: true };
});

it('hands the aggregate step results far below the 256 KB state limit', () => {
  const bytes = Buffer.byteLength(JSON.stringify({ group: 'equity', results }));
  expect(bytes).toBeLessThan(64 * 1024);
  // …and the map its input: the group and the symbols.
  expect(Buffer.byteLength(JSON.stringify({ group: 'equity', underlyings: symbols }))).toBeLessThan(8 * 1024);
});

it('indexes 500 underlyings reading one summary each, and no dated record', async () => {
  const reads: string[] = [];
  let listings = 0;
  const store: Store = {
    get: (k) => (reads.push(k), config.store.get(k)),
    put: (k, b, o) => config.store.put(k, b, o),
    list: (p) => (listings++, config.store.list(p)),
    folders: () => (listings++, config.store.folders()),
  };
  const summary = await aggregateHandler({ ...config, store })({ group: 'equity', results });
  expect(summary).toMatchObject({ indexed: N, failed: symbols.filter((_, i) => i % 10 === 0) });
  expect(reads.sort()).toEqual(symbols.map((s) => `${s}/summary.json`));
  // One listing of the top folders to build the index and one to check nothing changed meanwhile.
  expect(listings).toBe(2);
  const rows = JSON.parse((await config.store.get('screener.json'))!) as { symbol: string }[];
  expect(rows.map((r) => r.symbol)).toEqual(symbols);
  const page = (await config.store.get('index.html'))!;
  // The page draws its first rows and carries every one as data for its script.
  expect(page.match(/<tr data-symbol=/g)).toHaveLength(PAGE_ROWS);
  const data = /<script type="application\/json" id="screener-data">(.*?)<\/script>/.exec(page)![1]!;
  expect((JSON.parse(data) as ScreenerData).rows.map((r) => r[0])).toEqual(symbols);
});
