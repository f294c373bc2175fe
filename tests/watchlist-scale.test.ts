import { analyse } from '../lambda/gamma/analyse';
import { runtimeFromEnv, type RuntimeConfig } from '../lambda/handlers/config';
import { aggregateHandler, type AggregateEvent } from '../lambda/handlers/aggregate';
import type { UnderlyingResult } from '../lambda/handlers/underlying';
import { FAILURES, type FailureName } from '../lambda/contract';
import { PUT_OPTIONS } from '../lambda/publish';
import { DEFAULT_FRESHNESS, PAGE_ROWS, summarize, type ScreenerData } from '../lambda/report/screener';
import type { Store } from '../lambda/store/store';
import { DEPLOYMENT_DEFAULTS } from '../lib/config';
import { runInput } from '../lib/runs';
import { loadFixture } from './helpers';
import { writeMapResults, type Batch } from './support/map-results';
import { startS3, type LocalS3 } from './support/s3';

/**
 * The whole optionable universe through the aggregate step, on a real S3 API (s3rver): 5,000 underlyings in
 * batches as the distributed map leaves them (its result writer's manifest and result files in the runs
 * bucket), each with a summary in the report bucket as the underlying function writes it (SPY's, renamed).
 * The step reads the results and one small summary per underlying, and nothing of the archive.
 */
const N = 5000;
const BATCH = DEPLOYMENT_DEFAULTS.batchSize;
const symbols = Array.from({ length: N }, (_, i) => `T${String(i).padStart(4, '0')}`);
let s3: LocalS3;
let config: RuntimeConfig;

/** The longest failure name, so the results are as large as they get. */
const LONGEST = (Object.keys(FAILURES) as FailureName[]).sort((a, b) => b.length - a.length)[0]!;
/** Every 50th batch failed as a whole (throttled past its retries); in the others every 10th underlying failed. */
const batches: Batch[] = [];
for (let i = 0; i < N; i += BATCH) {
  const batch = symbols.slice(i, i + BATCH);
  if ((i / BATCH) % 50 === 49) {
    batches.push({ symbols: batch, error: 'Lambda.TooManyRequestsException' });
  } else {
    batches.push({
      symbols: batch,
      output: batch.map((symbol, j): UnderlyingResult =>
        (i + j) % 10 === 0
          ? { symbol, status: 'failed', error: LONGEST }
          : { symbol, status: 'published', asOf: '2025-06-08T12:49:38.000Z', latest: true },
      ),
    });
  }
}
const failedInBatches = batches.flatMap((b) =>
  'output' in b ? b.output.filter((r) => r.status === 'failed').map((r) => r.symbol) : [],
);
const failedBatches = batches.flatMap((b) => ('error' in b ? b.symbols : []));
let manifest: string;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // The metric line is checked in tests/handlers.test.ts; here it would only fill the test log.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  s3 = await startS3('reports', 'runs');
  config = {
    ...runtimeFromEnv({
      BUCKET_NAME: s3.bucket,
      RUNS_BUCKET: 'runs',
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'us-east-1',
    }),
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
        if ((i + j) % 100 === 0)
          await config.store.put(`${symbol}/2025-06-06.json`, '{}', PUT_OPTIONS.datedJson);
      }),
    );
  }
  manifest = await writeMapResults(config.runs!, batches);
}, 180_000);

afterAll(async () => {
  await s3.close();
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
});

it('keeps the run state the same small size whatever the watchlist: the group, its key, the manifest', () => {
  const event: AggregateEvent = { group: 'equity', manifest };
  expect(Buffer.byteLength(JSON.stringify(runInput('equity')))).toBeLessThan(100);
  expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(200);
});

it('indexes 5,000 underlyings from the map results, naming every failed one, reading one summary each', async () => {
  const reads: string[] = [];
  const store: Store = {
    get: (k) => (reads.push(k), config.store.get(k)),
    put: (k, b, o) => config.store.put(k, b, o),
    list: (p) => config.store.list(p),
    listed: (p) => config.store.listed(p),
    folders: () => config.store.folders(),
  };
  const summary = await aggregateHandler({ ...config, store })({ group: 'equity', manifest });
  // The failures inside batches first (the SUCCEEDED file), then the underlyings of the failed batches.
  expect(summary.failed).toEqual([...failedInBatches, ...failedBatches]);
  // Every 10th of 5,000 is 500 (none falls in a failed batch: those hold T0245-T0249, T0495-T0499, …), and
  // 20 failed batches of 5.
  expect(summary.failed).toHaveLength(500 + 100);
  expect(summary.published).toHaveLength(N - summary.failed.length);
  expect(summary.indexed).toBe(N);
  expect(reads.sort()).toEqual(symbols.map((s) => `${s}/summary.json`));
  const rows = JSON.parse((await config.store.get('screener.json'))!) as { symbol: string }[];
  expect(rows.map((r) => r.symbol)).toEqual(symbols);
  const page = (await config.store.get('index.html'))!;
  // The page draws its first rows and carries every one as data for its script.
  expect(page.match(/<tr data-symbol=/g)).toHaveLength(PAGE_ROWS);
  const data = /<script type="application\/json" id="screener-data">(.*?)<\/script>/.exec(page)![1]!;
  expect((JSON.parse(data) as ScreenerData).rows.map((r) => r[0])).toEqual(symbols);
}, 120_000);
