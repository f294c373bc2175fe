import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  aggregateHandler,
  finishRun,
  handler as aggregateEntry,
  type RunOutcome,
} from '../lambda/handlers/aggregate';
import { runtimeFromEnv, type RuntimeConfig } from '../lambda/handlers/config';
import { publishUnderlying, underlyingHandler } from '../lambda/handlers/underlying';
import { s3ClientFromEnv } from '../lambda/store/s3-store';
import type { Store } from '../lambda/store/store';
import { BUCKET_ACCESS } from '../lib/bucket-access';
import { RUN_RESULTS_PREFIX } from '../lib/runs';
import { readFixture } from './helpers';
import { emfProblems, inLambdaJsonLogs, type LogLine } from './support/lambda-runtime';
import { writeMapResults } from './support/map-results';
import { startS3, type LocalS3 } from './support/s3';
import { startUpstream, type Upstream } from './support/upstream';

/**
 * The Lambda handlers end to end on loopback: s3rver is a real S3 HTTP API (the real SDK talks to it), and
 * a local server replays the recorded Cboe and Deribit responses. The handlers' logger is silenced through
 * its level variable; a test that reads the log lines raises the level and captures stdout as Lambda's JSON
 * log format leaves it.
 */
let s3: LocalS3;
let upstream: Upstream;
let env: NodeJS.ProcessEnv;
let failing: Set<string>;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  s3 = await startS3('reports', 'runs');
  upstream = await startUpstream((req, res) => {
    if ([...failing].some((f) => req.url?.includes(f))) return void res.writeHead(404).end('Not Found');
    if (req.url === '/cboe/SPY.json')
      return void res.writeHead(200).end(readFixture('cboe_SPY_2025-06-06.json'));
    if (req.url === '/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option') {
      return void res.writeHead(200).end(readFixture('deribit_BTC_2026-03-13.json'));
    }
    res.writeHead(404).end('Not Found');
  });
  env = {
    BUCKET_NAME: s3.bucket,
    RUNS_BUCKET: 'runs',
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
    CBOE_BASE_URL: `${upstream.base}/cboe`,
    DERIBIT_BASE_URL: `${upstream.base}/deribit`,
    BYBIT_BASE_URL: `${upstream.base}/bybit`,
    OKX_BASE_URL: `${upstream.base}/okx`,
    BINANCE_BASE_URL: `${upstream.base}/binance`,
  };
});

afterAll(async () => {
  await s3.close();
  await upstream.close();
  delete process.env.POWERTOOLS_LOG_LEVEL;
});

beforeEach(() => {
  upstream.reset();
  failing = new Set();
});

function config(now = '2026-11-23T14:00:00Z'): RuntimeConfig {
  return { ...runtimeFromEnv(env), now: () => new Date(now) };
}

/** A config whose logger writes INFO and above, as in Lambda (AWS_LAMBDA_LOG_LEVEL=INFO). */
function loud(base: RuntimeConfig = config()): RuntimeConfig {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  try {
    const { logger, metrics } = runtimeFromEnv(env);
    return { ...base, logger, metrics };
  } finally {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  }
}

/** The embedded-metric-format lines among the captured ones. */
const metricLines = (lines: LogLine[]) => lines.filter((l) => '_aws' in l);

/** An hour after each recorded snapshot was taken, so the live replay is fresh. */
const FRESH: Record<string, string> = { SPY: '2025-06-08T13:49:38Z', BTC: '2026-03-13T20:00:00Z' };

/** The per-underlying handler, run as if right after the recorded snapshot was taken. */
const publishLive = (symbol: string) => publishUnderlying(config(FRESH[symbol]))(symbol);

async function head(key: string) {
  const out = await s3ClientFromEnv(env).send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
  return { type: out.ContentType, cache: out.CacheControl };
}

describe('the per-underlying handler', () => {
  it('publishes dated files, history, archive and latest with their content types and cache headers', async () => {
    const result = await publishLive('SPY');
    expect(result).toMatchObject({
      symbol: 'SPY',
      status: 'published',
      asOf: '2025-06-08T12:49:38.000Z',
      latest: true,
    });
    const keys = (await config().store.list('SPY/')).sort();
    expect(keys).toEqual([
      'SPY/2025-06-06.html',
      'SPY/2025-06-06.json',
      'SPY/2025-06-06.levels.csv',
      'SPY/2025-06-06.pine',
      'SPY/evidence.json',
      'SPY/history.json',
      'SPY/index.html',
      'SPY/latest.html',
      'SPY/latest.json',
      'SPY/levels.csv',
      'SPY/levels.pine',
      'SPY/summary.json',
    ]);
    expect(await head('SPY/levels.csv')).toEqual({
      type: 'text/csv; charset=utf-8',
      cache: 'public, max-age=300',
    });
    expect(await head('SPY/2025-06-06.pine')).toEqual({
      type: 'text/plain; charset=utf-8',
      cache: 'public, max-age=86400',
    });
    expect(await head('SPY/2025-06-06.json')).toEqual({
      type: 'application/json; charset=utf-8',
      cache: 'public, max-age=86400',
    });
    expect(await head('SPY/2025-06-06.html')).toEqual({
      type: 'text/html; charset=utf-8',
      cache: 'public, max-age=86400',
    });
    expect(await head('SPY/latest.html')).toEqual({
      type: 'text/html; charset=utf-8',
      cache: 'public, max-age=300',
    });
    const latest = JSON.parse((await config().store.get('SPY/latest.json'))!);
    expect(latest).toMatchObject({ symbol: 'SPY', source: 'cboe', spot: 599.14 });
  });

  it('is idempotent: a second run on the same day leaves the same objects and bytes', async () => {
    const store = config().store;
    await publishLive('BTC');
    const before = await Promise.all(
      ['BTC/latest.json', 'BTC/2026-03-13.json', 'BTC/history.json'].map((k) => store.get(k)),
    );
    const keysBefore = (await store.list('BTC/')).sort();
    await publishLive('BTC');
    expect((await store.list('BTC/')).sort()).toEqual(keysBefore);
    expect(
      await Promise.all(
        ['BTC/latest.json', 'BTC/2026-03-13.json', 'BTC/history.json'].map((k) => store.get(k)),
      ),
    ).toEqual(before);
  });

  it('throws for a failing source and leaves that underlying exactly as it was', async () => {
    const store = config().store;
    await publishLive('SPY');
    const keys = (await store.list('SPY/')).sort();
    const bytes = await Promise.all(keys.map((k) => store.get(k)));
    failing.add('/cboe/SPY.json');
    const { value: error, lines } = await inLambdaJsonLogs(() =>
      publishUnderlying(loud(config(FRESH.SPY)))('SPY').catch((e: unknown) => e),
    );
    expect(error).toMatchObject({
      name: 'SourceRefused',
      message: expect.stringMatching(
        /^SPY \(cboe, stage fetch\): GET .*\/cboe\/SPY\.json failed: HTTP 404 Not Found$/,
      ),
    });
    // The function tells the whole cause itself: the map passes on only the failure's name.
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'underlying failed',
        symbol: 'SPY',
        venue: 'cboe',
        stage: 'fetch',
        error: 'SourceRefused',
        transient: false,
        cause: expect.stringMatching(/^GET .*\/cboe\/SPY\.json failed: HTTP 404 Not Found$/),
      }),
    ]);
    expect(upstream.requests.filter((r) => r === '/cboe/SPY.json')).toHaveLength(2);
    expect((await store.list('SPY/')).sort()).toEqual(keys);
    expect(await Promise.all(keys.map((k) => store.get(k)))).toEqual(bytes);
  });

  it('skips the equity run on an NYSE holiday without fetching anything', async () => {
    const result = await publishUnderlying(config('2026-11-26T13:30:00Z'))('SPY');
    expect(result).toEqual({ symbol: 'SPY', status: 'skipped', reason: 'NYSE holiday' });
    expect(upstream.requests).toEqual([]);
    // The recorded BTC book is from March: allow its age here, since this test is about the calendar.
    const holiday = config('2026-11-26T13:30:00Z');
    const crypto = await publishUnderlying({
      ...holiday,
      live: { ...holiday.live, maxAgeHours: { equity: 36, crypto: 24 * 365 } },
    })('BTC');
    expect(crypto.status).toBe('published');
  });
});

describe('the batch handler', () => {
  it('analyses its underlyings one after the other, records a failure under its name and goes on', async () => {
    failing.add('/cboe/QQQ.json');
    const results = await underlyingHandler(config(FRESH.SPY))({
      // As typed in a watchlist: the function reads each symbol as the product writes it.
      Items: [{ symbol: 'qqq' }, { symbol: ' spy ' }],
    });
    expect(results).toEqual([
      { symbol: 'QQQ', status: 'failed', error: 'SourceRefused' },
      { symbol: 'SPY', status: 'published', asOf: '2025-06-08T12:49:38.000Z', latest: true },
    ]);
    // SPY asked for only after QQQ was done with (a 404 is not asked again).
    expect(upstream.requests).toEqual(['/cboe/QQQ.json', '/cboe/SPY.json']);
  });

  it('refuses an item that is not a ticker symbol, naming it', async () => {
    await expect(underlyingHandler(config(FRESH.SPY))({ Items: [{ symbol: 'SPY/../x' }] })).rejects.toThrow(
      'batch item {"symbol":"SPY/../x"} is not a ticker symbol',
    );
    expect(upstream.requests).toEqual([]);
  });
});

/**
 * A run of the equity group with one underlying published and two failed: QQQ in its batch's results, ETH
 * with the error Step Functions recorded for its whole batch.
 */
const RUN: RunOutcome = {
  group: 'equity',
  results: [
    { symbol: 'SPY', status: 'published', asOf: '2025-06-08T12:49:38.000Z', latest: true },
    { symbol: 'QQQ', status: 'failed', error: 'SourceRefused' },
    { symbol: 'ETH', status: 'failed', error: 'States.Timeout' },
  ],
};

describe('the aggregate handler', () => {
  it('rewrites the index from the bucket and logs each failure and the run as JSON at the top level', async () => {
    await publishLive('SPY');
    await publishLive('BTC');
    const { value: summary, lines } = await inLambdaJsonLogs(() => finishRun(loud())(RUN));
    // Both underlyings in the bucket are indexed; the run's own outcome comes from the event.
    const expected = {
      group: 'equity',
      published: ['SPY'],
      skipped: [],
      failed: ['QQQ', 'ETH'],
      indexed: 2,
      email: 'off',
    };
    expect(summary).toEqual(expected);
    const index = (await config().store.get('index.html'))!;
    expect(index).toContain('href="SPY/latest.html"');
    expect(index).toContain('href="BTC/latest.html"');
    expect(await head('index.html')).toEqual({
      type: 'text/html; charset=utf-8',
      cache: 'public, max-age=300',
    });
    const logs = lines.filter((l) => !('_aws' in l));
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'underlying failed',
        service: 'market-gamma-report',
        group: 'equity',
        symbol: 'QQQ',
        venue: 'cboe',
        stage: 'fetch',
        error: 'SourceRefused',
      }),
      expect.objectContaining({
        level: 'ERROR',
        message: 'underlying failed',
        group: 'equity',
        symbol: 'ETH',
        venue: 'deribit',
        stage: 'lambda',
        error: 'States.Timeout',
      }),
      expect.objectContaining({ level: 'WARN', message: 'run finished', ...expected }),
    ]);
  });

  it("reads the run's outcome from the map's results: each batch's results, and a failed batch's underlyings", async () => {
    await publishLive('SPY');
    const manifest = await writeMapResults(config().runs!, [
      {
        symbols: ['SPY', 'QQQ'],
        output: [
          { symbol: 'SPY', status: 'published', asOf: '2025-06-08T12:49:38.000Z', latest: true },
          { symbol: 'QQQ', status: 'failed', error: 'SourceRefused' },
        ],
      },
      { symbols: ['IWM', 'DIA'], error: 'Lambda.TooManyRequestsException' },
    ]);
    const { value: summary, lines } = await inLambdaJsonLogs(() =>
      aggregateHandler(loud())({ group: 'equity', manifest }),
    );
    expect(summary).toMatchObject({ published: ['SPY'], failed: ['QQQ', 'IWM', 'DIA'] });
    expect(lines.filter((l) => l.message === 'underlying failed').map((l) => [l.symbol, l.error])).toEqual([
      ['QQQ', 'SourceRefused'],
      ['IWM', 'Lambda.TooManyRequestsException'],
      ['DIA', 'Lambda.TooManyRequestsException'],
    ]);
    expect(metricLines(lines)).toEqual([expect.objectContaining({ UnderlyingFailures: 3 })]);
  });

  it('names the file and field of a map result it cannot read', async () => {
    const runs = config().runs!;
    const manifest = await writeMapResults(runs, [{ symbols: ['SPY'], output: [] }]);
    const succeeded = manifest.replace('manifest.json', 'SUCCEEDED_0.json');
    const batches = JSON.parse((await runs.get(succeeded))!) as Record<string, unknown>[];
    await runs.put(
      succeeded,
      JSON.stringify([{ ...batches[0], Output: '[{"symbol":"SPY","status":"lost"}]' }]),
      {
        contentType: 'application/json',
        cacheControl: 'no-store',
      },
    );
    await expect(aggregateHandler(config())({ group: 'equity', manifest })).rejects.toThrow(
      `${succeeded}[0].Output: not a valid batch: [0].status is "lost"`,
    );
    await expect(
      aggregateHandler(config())({ group: 'equity', manifest: 'results/none/manifest.json' }),
    ).rejects.toThrow('map results: results/none/manifest.json is missing from the runs bucket');
  });

  it('emits the run metrics as one embedded-metric-format line at the top level, not wrapped in "message"', async () => {
    await publishLive('SPY');
    const before = Date.now();
    const { lines } = await inLambdaJsonLogs(() => finishRun(loud())(RUN));
    const [line, ...others] = metricLines(lines);
    expect(others).toEqual([]);
    expect(emfProblems(line!)).toEqual([]);
    const aws = line!._aws as { Timestamp: number; CloudWatchMetrics: unknown[] };
    expect(aws.Timestamp).toBeGreaterThanOrEqual(before);
    expect(aws.Timestamp).toBeLessThanOrEqual(Date.now());
    // Exactly the names and dimension the alarms read (lib/alerts.ts), pinned here as CloudWatch will see them.
    expect(aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'MarketGammaReport',
        Dimensions: [['Group']],
        Metrics: [
          { Name: 'RunsCompleted', Unit: 'Count' },
          { Name: 'UnderlyingFailures', Unit: 'Count' },
          { Name: 'EmailFailures', Unit: 'Count' },
        ],
      },
    ]);
    // One run, the two failed items of the event, and no email configured.
    expect(line).toEqual({
      _aws: aws,
      Group: 'equity',
      RunsCompleted: 1,
      UnderlyingFailures: 2,
      EmailFailures: 0,
    });
    // Nothing reached the log wrapped by the runtime: no metric hides inside a "message" string.
    expect(lines.filter((l) => typeof l.message === 'string' && l.message.includes('_aws'))).toEqual([]);
  });

  it('(the harness) wraps a console.log string in "message", as the JSON log format does', async () => {
    const emf = { _aws: { Timestamp: 1, CloudWatchMetrics: [] }, Group: 'equity', RunsCompleted: 1 };
    const { lines } = await inLambdaJsonLogs(async () => console.log(JSON.stringify(emf)));
    expect(lines).toEqual([
      {
        timestamp: expect.any(String),
        level: 'INFO',
        requestId: 'test-request',
        message: JSON.stringify(emf),
      },
    ]);
    expect(metricLines(lines)).toEqual([]);
  });

  it('tags its log lines with the invocation when run through the Lambda entry point', async () => {
    await publishLive('SPY');
    const saved = { ...process.env };
    Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: 'INFO' });
    try {
      const context = {
        functionName: 'aggregate',
        awsRequestId: 'req-1',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:aggregate',
        memoryLimitInMB: '512',
      } as Context;
      const manifest = await writeMapResults(config().runs!, []);
      const { lines } = await inLambdaJsonLogs(() => aggregateEntry({ group: 'crypto', manifest }, context));
      expect(lines.find((l) => l.message === 'run finished')).toMatchObject({
        function_request_id: 'req-1',
        function_name: 'aggregate',
        group: 'crypto',
      });
      expect(metricLines(lines)).toHaveLength(1);
    } finally {
      process.env = saved;
    }
  });

  describe('the daily email (SES mocked: it has no local equivalent)', () => {
    const ses = mockClient(SESv2Client);
    afterEach(() => ses.reset());
    const withEmail = (base = config()): RuntimeConfig => ({
      ...loud(base),
      email: {
        client: new SESv2Client({ region: 'us-east-1' }),
        envelope: { from: 'reports@example.com', to: ['a@example.com', 'b@example.com'] },
        siteUrl: 'https://d123.cloudfront.net',
      },
    });

    it('sends one message with the subject, both bodies, sender and recipients, after publishing', async () => {
      await publishLive('SPY');
      await publishLive('BTC');
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
      const { value: summary, lines } = await inLambdaJsonLogs(() =>
        finishRun(withEmail())({ group: 'crypto', results: [] }),
      );
      expect(summary.email).toBe('sent');
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'INFO', message: 'email sent', messageId: 'm-1' }),
      );
      const calls = ses.commandCalls(SendEmailCommand);
      expect(calls).toHaveLength(1);
      const input = calls[0]!.args[0].input;
      // The whole request, field by field: who sends, to whom, and what (checked against the published records).
      const content = input.Content?.Simple;
      expect(Object.keys(input).sort()).toEqual(['Content', 'Destination', 'FromEmailAddress']);
      expect(input.FromEmailAddress).toBe('reports@example.com');
      expect(input.Destination).toEqual({ ToAddresses: ['a@example.com', 'b@example.com'] });
      expect(content?.Subject).toEqual({
        Data: 'BTC +$46.5m γ · flip 68,007 (+4.3%) · SPY +$3.9bn γ · flip 594 (+0.8%)',
        Charset: 'UTF-8',
      });
      expect(content?.Body?.Html?.Charset).toBe('UTF-8');
      expect(content?.Body?.Text?.Charset).toBe('UTF-8');
      const html = content!.Body!.Html!.Data!;
      const text = content!.Body!.Text!.Data!;
      expect(html).toContain('href="https://d123.cloudfront.net/SPY/latest.html"');
      expect(html).not.toMatch(/<style|<script/);
      expect(text).toContain('JSON:   https://d123.cloudfront.net/BTC/latest.json');
      // The recorded chains' figures: BTC spot 71,048.70 and flip 68,006.55; SPY spot 599.14.
      for (const body of [html, text]) {
        expect(body).toContain('71,048.70');
        expect(body).toContain('68,006.55');
        expect(body).toContain('599.14');
      }
    });

    it('logs an SES failure, counts it in EmailFailures, and still publishes the index', async () => {
      await publishLive('SPY');
      const before = await config().store.get('index.html');
      ses
        .on(SendEmailCommand)
        .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
      const { value: summary, lines } = await inLambdaJsonLogs(() =>
        finishRun(withEmail(config('2026-11-23T15:00:00Z')))({ group: 'equity', results: [] }),
      );
      expect(summary.email).toBe('failed');
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: 'email failed',
          error: 'MessageRejected',
          cause: 'Email address is not verified.',
        }),
      );
      expect(metricLines(lines)).toEqual([
        expect.objectContaining({
          Group: 'equity',
          RunsCompleted: 1,
          UnderlyingFailures: 0,
          EmailFailures: 1,
        }),
      ]);
      const after = await config().store.get('index.html');
      expect(after).not.toBe(before);
      expect(after).toContain('Run at 2026-11-23 15:00 UTC');
    });
  });
});

/** Whether an IAM object-key pattern matches a key as S3 reads it: `*` any run of characters, `?` one. */
function allows(patterns: readonly string[], key: string): boolean {
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(key),
  );
}

/** The store, recording every key read and written through it. */
function recording(store: Store) {
  const seen = { read: new Set<string>(), write: new Set<string>() };
  const wrapped: Store = {
    get: (key) => (seen.read.add(key), store.get(key)),
    put: (key, body, options) => (seen.write.add(key), store.put(key, body, options)),
    list: (prefix) => store.list(prefix),
    listed: (prefix) => store.listed(prefix),
    folders: () => store.folders(),
  };
  return { store: wrapped, seen };
}

describe('the bucket grants (lib/bucket-access.ts)', () => {
  it('cover every key each handler reads and writes, and no more than those', async () => {
    const underlying = recording(config().store);
    for (const symbol of ['SPY', 'BTC']) {
      await underlyingHandler({ ...config(FRESH[symbol]), store: underlying.store })({ Items: [{ symbol }] });
    }
    const aggregate = recording(config().store);
    const runs = recording(config().runs!);
    const manifest = await writeMapResults(config().runs!, [
      { symbols: ['SPY'], output: [{ symbol: 'SPY', status: 'skipped', reason: 'NYSE holiday' }] },
      { symbols: ['QQQ'], error: 'States.Timeout' },
    ]);
    await inLambdaJsonLogs(() =>
      aggregateHandler({ ...config(), store: aggregate.store, runs: runs.store })({
        group: 'equity',
        manifest,
      }),
    );
    // In the runs bucket, the aggregate step reads only the map's results, which its role may (lib/runs.ts).
    expect([...runs.seen.read].sort()).toEqual([
      manifest.replace('manifest.json', 'FAILED_0.json'),
      manifest.replace('manifest.json', 'SUCCEEDED_0.json'),
      manifest,
    ]);
    for (const key of runs.seen.read) expect(key.startsWith(`${RUN_RESULTS_PREFIX}/`)).toBe(true);
    expect(runs.seen.write.size).toBe(0);

    for (const [role, seen] of [
      ['underlying', underlying.seen],
      ['aggregate', aggregate.seen],
    ] as const) {
      for (const key of seen.read)
        expect({ role, read: key, allowed: allows(BUCKET_ACCESS[role].read, key) }).toEqual({
          role,
          read: key,
          allowed: true,
        });
      for (const key of seen.write)
        expect({ role, write: key, allowed: allows(BUCKET_ACCESS[role].write, key) }).toEqual({
          role,
          write: key,
          allowed: true,
        });
    }
    expect([...aggregate.seen.write].sort()).toEqual(['index.html', 'screener.csv', 'screener.json']);
    // One small summary per underlying: the index never reads the archive of dated records.
    expect([...aggregate.seen.read].sort()).toEqual(['BTC/summary.json', 'SPY/summary.json']);
    // Neither may write the other's keys: a symbol's folder is not the aggregate's, the root page not the underlying's.
    expect(allows(BUCKET_ACCESS.underlying.write, 'index.html')).toBe(false);
    expect(allows(BUCKET_ACCESS.aggregate.write, 'SPY/latest.html')).toBe(false);
  });
});
