import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { composeEmail } from '../lambda/email/compose';
import { latestEntries } from '../lambda/publish';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { aggregateHandler, metricLine } from '../lambda/handlers/aggregate';
import { runtimeFromEnv, type RuntimeConfig } from '../lambda/handlers/config';
import { underlyingHandler } from '../lambda/handlers/underlying';
import { s3ClientFromEnv } from '../lambda/store/s3-store';
import { readFixture } from './helpers';

/**
 * The Lambda handlers end to end on loopback: s3rver is a real S3 HTTP API (the real SDK talks to it), and
 * a local server replays the recorded Cboe and Deribit responses.
 */
const BUCKET = 'reports';
let s3dir: string;
let s3: S3rver;
let upstream: Server;
let env: NodeJS.ProcessEnv;
let requests: string[];
let failing: Set<string>;

beforeAll(async () => {
  s3dir = mkdtempSync(join(tmpdir(), 'gamma-s3-'));
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port: s3port } = (await s3.run()) as AddressInfo;
  upstream = createServer((req, res) => {
    requests.push(req.url ?? '');
    if ([...failing].some((f) => req.url?.includes(f))) return void res.writeHead(404).end('Not Found');
    if (req.url === '/cboe/SPY.json')
      return void res.writeHead(200).end(readFixture('cboe_SPY_2025-06-06.json'));
    if (req.url === '/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option') {
      return void res.writeHead(200).end(readFixture('deribit_BTC_2026-03-13.json'));
    }
    res.writeHead(404).end('Not Found');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  env = {
    BUCKET_NAME: BUCKET,
    S3_ENDPOINT: `http://127.0.0.1:${s3port}`,
    AWS_REGION: 'us-east-1',
    CBOE_BASE_URL: `${up}/cboe`,
    DERIBIT_BASE_URL: `${up}/deribit`,
  };
});

afterAll(async () => {
  await s3.close();
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(s3dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  failing = new Set();
});

function config(now = '2026-11-23T14:00:00Z'): RuntimeConfig {
  return { ...runtimeFromEnv(env), now: () => new Date(now) };
}

/** An hour after each recorded snapshot was taken, so the live replay is fresh. */
const FRESH: Record<string, string> = { SPY: '2025-06-08T13:49:38Z', BTC: '2026-03-13T20:00:00Z' };

/** The per-underlying handler, run as if right after the recorded snapshot was taken. */
const publishLive = (symbol: string) => underlyingHandler(config(FRESH[symbol]))({ symbol });

async function head(key: string) {
  const out = await s3ClientFromEnv(env).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
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
      'SPY/2025-06-08.html',
      'SPY/2025-06-08.json',
      'SPY/history.json',
      'SPY/index.html',
      'SPY/latest.html',
      'SPY/latest.json',
    ]);
    expect(await head('SPY/2025-06-08.json')).toEqual({
      type: 'application/json; charset=utf-8',
      cache: 'public, max-age=86400',
    });
    expect(await head('SPY/2025-06-08.html')).toEqual({
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
    const error = await underlyingHandler(config(FRESH.SPY))({ symbol: 'SPY' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'SourceRefused',
      message: expect.stringMatching(
        /^SPY \(cboe, stage fetch\): GET .*\/cboe\/SPY\.json failed: HTTP 404 Not Found$/,
      ),
    });
    expect(requests.filter((r) => r === '/cboe/SPY.json')).toHaveLength(2);
    expect((await store.list('SPY/')).sort()).toEqual(keys);
    expect(await Promise.all(keys.map((k) => store.get(k)))).toEqual(bytes);
  });

  it('skips the equity run on an NYSE holiday without fetching anything', async () => {
    const result = await underlyingHandler(config('2026-11-26T13:30:00Z'))({ symbol: 'SPY' });
    expect(result).toEqual({ symbol: 'SPY', status: 'skipped', reason: 'NYSE holiday' });
    expect(requests).toEqual([]);
    // The recorded BTC book is from March: allow its age here, since this test is about the calendar.
    const holiday = config('2026-11-26T13:30:00Z');
    const crypto = await underlyingHandler({
      ...holiday,
      live: { ...holiday.live, maxAgeHours: { equity: 36, crypto: 24 * 365 } },
    })({ symbol: 'BTC' });
    expect(crypto.status).toBe('published');
  });
});

describe('the aggregate handler', () => {
  it('rewrites the index from the bucket, logs each failure and emits the run metrics', async () => {
    await publishLive('SPY');
    await publishLive('BTC');
    const logs: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    try {
      const summary = await aggregateHandler(config())({
        group: 'equity',
        results: [
          {
            symbol: 'SPY',
            status: 'published',
            asOf: '2025-06-08T12:49:38.000Z',
            regime: 'positive',
            netGex: 1,
            latest: true,
          },
          {
            symbol: 'QQQ',
            status: 'failed',
            // What Step Functions catches from a Lambda error: its type, and the payload as a JSON string.
            error: {
              Error: 'SourceRefused',
              Cause: JSON.stringify({
                errorType: 'SourceRefused',
                errorMessage: 'QQQ (cboe, stage fetch): GET …/QQQ.json failed: HTTP 403 Forbidden',
                trace: ['SourceRefused: QQQ …', '    at step (/var/task/index.js:1:1)'],
              }),
            },
          },
          {
            symbol: 'ETH',
            status: 'failed',
            error: { Error: 'States.Timeout', Cause: 'Task timed out after 120.00 seconds' },
          },
        ],
      });
      expect(summary).toEqual({
        group: 'equity',
        published: ['SPY'],
        skipped: [],
        failed: ['QQQ', 'ETH'],
        indexed: 2,
        email: 'off',
      });
    } finally {
      spy.mockRestore();
    }
    const index = (await config().store.get('index.html'))!;
    expect(index).toContain('href="SPY/latest.html"');
    expect(index).toContain('href="BTC/latest.html"');
    expect(await head('index.html')).toEqual({
      type: 'text/html; charset=utf-8',
      cache: 'public, max-age=300',
    });
    expect(logs.map((l) => JSON.parse(l))).toEqual([
      {
        level: 'error',
        message: 'underlying failed',
        group: 'equity',
        symbol: 'QQQ',
        venue: 'cboe',
        stage: 'fetch',
        error: 'SourceRefused',
        cause: 'QQQ (cboe, stage fetch): GET …/QQQ.json failed: HTTP 403 Forbidden',
      },
      {
        level: 'error',
        message: 'underlying failed',
        group: 'equity',
        symbol: 'ETH',
        venue: 'deribit',
        stage: 'lambda',
        error: 'States.Timeout',
        cause: 'Task timed out after 120.00 seconds',
      },
      {
        level: 'warn',
        message: 'run finished',
        group: 'equity',
        published: ['SPY'],
        skipped: [],
        failed: ['QQQ', 'ETH'],
        indexed: 2,
        email: 'off',
      },
      JSON.parse(
        metricLine(
          'equity',
          { RunsCompleted: 1, UnderlyingFailures: 2, EmailFailures: 0 },
          new Date('2026-11-23T14:00:00Z'),
        ),
      ),
    ]);
  });

  describe('the daily email (SES mocked: it has no local equivalent)', () => {
    const ses = mockClient(SESv2Client);
    afterEach(() => ses.reset());
    const withEmail = (): RuntimeConfig => ({
      ...config(),
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
      const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const summary = await aggregateHandler(withEmail())({ group: 'crypto', results: [] });
        expect(summary.email).toBe('sent');
      } finally {
        spy.mockRestore();
      }
      const calls = ses.commandCalls(SendEmailCommand);
      expect(calls).toHaveLength(1);
      const input = calls[0]!.args[0].input;
      const expected = composeEmail(
        await latestEntries(config().store),
        'https://d123.cloudfront.net',
        new Date('2026-11-23T14:00:00Z'),
      );
      expect(input).toEqual({
        FromEmailAddress: 'reports@example.com',
        Destination: { ToAddresses: ['a@example.com', 'b@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: expected.subject, Charset: 'UTF-8' },
            Body: {
              Html: { Data: expected.html, Charset: 'UTF-8' },
              Text: { Data: expected.text, Charset: 'UTF-8' },
            },
          },
        },
      });
      expect(expected.subject).toMatch(
        /^BTC \+\$46\.5m γ · flip 68,007 \(\+4\.3%\) · SPY \+\$3\.9bn γ · flip 594 \(\+0\.8%\)$/,
      );
      expect(expected.html).toContain('href="https://d123.cloudfront.net/SPY/latest.html"');
      expect(expected.text).toContain('JSON:   https://d123.cloudfront.net/BTC/latest.json');
    });

    it('logs an SES failure, counts it for the alarm, and still publishes the index', async () => {
      await publishLive('SPY');
      const before = await config().store.get('index.html');
      ses
        .on(SendEmailCommand)
        .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
      const logs: string[] = [];
      const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
      let summary;
      try {
        summary = await aggregateHandler({ ...withEmail(), now: () => new Date('2026-11-23T15:00:00Z') })({
          group: 'equity',
          results: [],
        });
      } finally {
        spy.mockRestore();
      }
      expect(summary.email).toBe('failed');
      const parsed = logs.map((l) => JSON.parse(l));
      expect(parsed).toContainEqual({
        level: 'error',
        message: 'email failed',
        error: 'MessageRejected',
        cause: 'Email address is not verified.',
      });
      expect(parsed.find((l) => l._aws)).toMatchObject({
        RunsCompleted: 1,
        UnderlyingFailures: 0,
        EmailFailures: 1,
      });
      const after = await config().store.get('index.html');
      expect(after).not.toBe(before);
      expect(after).toContain('Run at 2026-11-23 15:00 UTC');
    });
  });

  it('writes metrics in the Embedded Metric Format', () => {
    expect(
      JSON.parse(metricLine('crypto', { RunsCompleted: 1, UnderlyingFailures: 0 }, new Date(1000))),
    ).toEqual({
      _aws: {
        Timestamp: 1000,
        CloudWatchMetrics: [
          {
            Namespace: 'MarketGammaReport',
            Dimensions: [['Group']],
            Metrics: [
              { Name: 'RunsCompleted', Unit: 'Count' },
              { Name: 'UnderlyingFailures', Unit: 'Count' },
            ],
          },
        ],
      },
      Group: 'crypto',
      RunsCompleted: 1,
      UnderlyingFailures: 0,
    });
  });
});
