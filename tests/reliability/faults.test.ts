import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { finishRun } from '../../lambda/handlers/aggregate';
import type { MapOutcome } from '../../lambda/handlers/map-results';
import { runtimeFromEnv, type RuntimeConfig } from '../../lambda/handlers/config';
import type { HttpOptions } from '../../lambda/live/http';
import { publishUnderlying } from '../../lambda/handlers/underlying';
import { RunFailure } from '../../lambda/failure';
import type { Store } from '../../lambda/store/store';
import { DAY_MS, readFixture } from '../helpers';
import { inLambdaJsonLogs, type LogLine } from '../support/lambda-runtime';
import { controlCharacters } from './printable';
import { allKeys } from '../support/store';

/**
 * Fault injection on loopback. A local server replays the recorded Cboe and Deribit responses with one
 * fault at a time; s3rver on 127.0.0.1 holds a previous good report, and after each failed run every byte
 * in the bucket (dated files, history, archive, latest.*, the index page) must be as it was. The handlers
 * and the real AWS SDK run as in Lambda; only the HTTP timings are shortened.
 */
const BUCKET = 'reports';
const SPY = readFixture('cboe_SPY_2025-06-06.json');
const BTC = readFixture('deribit_BTC_2026-03-13.json');
/** Recorded Cboe responses by symbol, served under /cboe/ as recorded and under /cboe-next/ a session later. */
const CBOE: Record<string, string> = { SPY, QQQ: readFixture('cboe_QQQ_2025-06-06.json') };
/** An hour after each recorded snapshot, so the replay is fresh; the index is generated at a fixed time. */
const NOW: Record<string, string> = { SPY: '2025-06-08T13:49:38Z', BTC: '2026-03-13T20:00:00Z' };
const INDEX_NOW = new Date('2026-03-13T21:00:00Z');
/**
 * The HTTP limits of these runs: short backoffs, and an 8 MiB body limit (the recorded SPY is 2.9 MB). An
 * attempt may take 5 s, which a download of megabytes needs on a busy machine; the faults about time (a hang,
 * a drip) shorten it to 300 ms themselves, so that no other fault races a timer.
 */
const HTTP = { retries: 2, backoffMs: 5, timeoutMs: 5000, deadlineMs: 10_000, maxBytes: 8 * 1024 * 1024 };
const SHORT_ATTEMPTS = { timeoutMs: 300 };

type Fault = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

let s3dir: string;
let s3: S3rver;
let s3port: number;
let upstream: Server;
let base: string;
/** What the upstream does with the request for the symbol under test; others get their recording. */
let fault: Fault | null;
let requests: string[];

const cboePath = '/cboe/SPY.json';
const deribitPath = '/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option';

function startS3(port = 0) {
  s3 = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: s3dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  return s3.run() as Promise<AddressInfo>;
}

beforeAll(async () => {
  s3dir = mkdtempSync(join(tmpdir(), 'gamma-faults-'));
  s3port = (await startS3()).port;
  upstream = createServer((req, res) => {
    const url = req.url ?? '';
    // The other venues of the BTC book have no chain here: left out, and not counted as the chain's requests.
    if (/^\/(bybit|okx|binance)\//.test(url)) return void res.writeHead(404).end('Not Found');
    requests.push(url);
    const attempt = requests.filter((r) => r === url).length;
    if (fault && (url === cboePath || url === deribitPath)) return fault(req, res, attempt);
    if (url === deribitPath) return void res.writeHead(200).end(BTC);
    const [, next, symbol] = /^\/cboe(-next)?\/([A-Z]+)\.json$/.exec(url) ?? [];
    const recorded = symbol === undefined ? undefined : CBOE[symbol];
    if (recorded === undefined) return void res.writeHead(404).end('Not Found');
    res.writeHead(200).end(next ? nextSession(recorded) : recorded);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  // The previous good reports: SPY and BTC published, then the index.
  fault = null;
  requests = [];
  await publishUnderlying(config('SPY'))('SPY');
  await publishUnderlying(config('BTC'))('BTC');
  await quietly(() => finishRun(config('BTC', INDEX_NOW))({ group: 'all', results: [] }));
});

afterAll(async () => {
  await s3.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(s3dir, { recursive: true, force: true });
});

beforeEach(() => {
  fault = null;
  requests = [];
});

function config(
  symbol: string,
  now = new Date(NOW[symbol]!),
  cboe = `${base}/cboe`,
  http: HttpOptions = {},
): RuntimeConfig {
  // The aggregate step's log lines are read below (captured); the per-underlying ones are not printed.
  process.env.POWERTOOLS_LOG_LEVEL = now === INDEX_NOW ? 'INFO' : 'SILENT';
  const runtime = runtimeFromEnv({
    BUCKET_NAME: BUCKET,
    S3_ENDPOINT: `http://127.0.0.1:${s3port}`,
    AWS_REGION: 'us-east-1',
    CBOE_BASE_URL: cboe,
    DERIBIT_BASE_URL: `${base}/deribit`,
    BYBIT_BASE_URL: `${base}/bybit`,
    OKX_BASE_URL: `${base}/okx`,
    BINANCE_BASE_URL: `${base}/binance`,
  });
  return { ...runtime, live: { ...runtime.live, http: { ...HTTP, ...http } }, now: () => now };
}

/**
 * A recorded Cboe response as if taken three days later, its last trade too: the recorded Friday's session as
 * the next Monday's, so it makes a new dated file (files are named by their quote session).
 */
function nextSession(text: string): string {
  const later = (t: string) =>
    new Date(Date.parse(`${t.replace(' ', 'T')}Z`) + 3 * DAY_MS).toISOString().slice(0, 19);
  const doc = JSON.parse(text) as { timestamp: string; data: { last_trade_time: string } };
  doc.timestamp = later(doc.timestamp).replace('T', ' ');
  doc.data.last_trade_time = later(doc.data.last_trade_time);
  return JSON.stringify(doc);
}

/** Runs a handler with its log lines captured (at INFO, as in Lambda) instead of printed. */
async function quietly<T>(work: () => Promise<T>): Promise<{ value: T; logs: LogLine[] }> {
  const { value, lines } = await inLambdaJsonLogs(work);
  return { value, logs: lines };
}

/** Every object in the bucket, key to bytes. */
async function bucket(store: Store = config('SPY').store): Promise<Record<string, string | null>> {
  const keys = await allKeys(store);
  return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await store.get(k)] as const)));
}

/** Rewrites every JSON value of `field` in the recorded text (a fault in the data, not the transport). */
function everyField(text: string, field: string, value: string): string {
  return text.replace(new RegExp(`"${field}":(-?[\\d.e+-]+|null|"[^"]*")`, 'g'), `"${field}":${value}`);
}

function once(field: string, value: string) {
  return (text: string) => text.replace(new RegExp(`"${field}":(-?[\\d.e+-]+|null)`), `"${field}":${value}`);
}

const serve =
  (body: string, status = 200, headers: Record<string, string> = {}): Fault =>
  (_req, res) =>
    void res.writeHead(status, headers).end(body);

interface Case {
  fault: string;
  symbol: 'SPY' | 'BTC';
  respond: Fault;
  name: RunFailure['name'];
  message: RegExp;
  /** Requests the run made: 1 when not retried, 3 when retried twice (HTTP.retries). */
  attempts: number;
  /** CBOE_BASE_URL as the deployment sets it, when the fault is there. */
  cboeBase?: string;
  /** HTTP limits other than HTTP's. */
  http?: HttpOptions;
}

const STATUS_TEXT: Record<number, string> = {
  403: 'Forbidden',
  408: 'Request Timeout',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CASES: Case[] = [
  ...[403, 404].map((status): Case => ({
    fault: `HTTP ${status}`,
    symbol: 'SPY',
    respond: serve(STATUS_TEXT[status]!, status),
    name: 'SourceRefused',
    message: new RegExp(`GET .*/cboe/SPY\\.json failed: HTTP ${status} ${STATUS_TEXT[status]}$`),
    attempts: 1,
  })),
  {
    fault: 'HTTP 429 with Retry-After',
    symbol: 'BTC',
    respond: serve('', 429, { 'retry-after': '1' }),
    name: 'SourceUnavailable',
    message: /failed: HTTP 429 Too Many Requests after 3 attempts$/,
    attempts: 3,
  },
  ...[408, 429, 500, 503].map((status): Case => ({
    fault: `HTTP ${status}${status === 429 ? ' without Retry-After' : ''}`,
    symbol: 'SPY',
    respond: serve('', status),
    name: 'SourceUnavailable',
    message: new RegExp(`failed: HTTP ${status} ${STATUS_TEXT[status]} after 3 attempts$`),
    attempts: 3,
  })),
  {
    fault: 'connection reset',
    symbol: 'BTC',
    respond: (req) => void req.socket.destroy(),
    name: 'SourceUnavailable',
    message: /failed: ECONNRESET \(socket hang up\) after 3 attempts$/,
    attempts: 3,
  },
  {
    fault: 'a hang past the timeout',
    symbol: 'SPY',
    respond: () => undefined,
    http: SHORT_ATTEMPTS,
    name: 'SourceUnavailable',
    message: /failed: ECONNABORTED \(timeout of 300ms exceeded\) after 3 attempts$/,
    attempts: 3,
  },
  {
    fault: 'a body dripping 1 byte per 50 ms, past the attempt timeout',
    symbol: 'SPY',
    respond: (req, res) => {
      res.writeHead(200, { 'content-length': String(Buffer.byteLength(SPY)) });
      const drip = setInterval(() => res.write(' '), 50);
      req.socket.on('close', () => clearInterval(drip));
    },
    http: SHORT_ATTEMPTS,
    name: 'SourceUnavailable',
    message: /failed: ECONNABORTED \(timeout of 300ms exceeded\) after 3 attempts$/,
    attempts: 3,
  },
  {
    fault: 'the connection cut mid-body',
    symbol: 'SPY',
    respond: (_req, res) => {
      res.writeHead(200, { 'content-length': String(Buffer.byteLength(SPY)) });
      res.write(SPY.slice(0, 100_000), () => res.destroy());
    },
    name: 'SourceUnavailable',
    message: /failed: ECONNRESET \(the connection closed before the body ended\) after 3 attempts$/,
    attempts: 3,
  },
  {
    fault: 'a complete answer whose JSON stops half-way',
    symbol: 'SPY',
    respond: serve(SPY.slice(0, 100_000)),
    name: 'InvalidData',
    message: /cboe\/SPY\.json: invalid JSON \(.*\)$/,
    attempts: 1,
  },
  {
    fault: 'an HTML error page with status 200',
    symbol: 'SPY',
    respond: serve('<!DOCTYPE html><html><body><h1>Service maintenance</h1></body></html>', 200, {
      'content-type': 'text/html',
    }),
    name: 'InvalidData',
    message: /cboe\/SPY\.json: invalid JSON \(Unexpected token '<'/,
    attempts: 1,
  },
  {
    fault: '{"data":{"options":[]}}',
    symbol: 'SPY',
    respond: serve('{"data":{"options":[]}}'),
    name: 'InvalidData',
    message: /data\.options is an array of 0: the chain has no option contracts/,
    attempts: 1,
  },
  {
    fault: 'every IV 0',
    symbol: 'SPY',
    respond: serve(everyField(SPY, 'iv', '0')),
    name: 'InvalidData',
    message: /SPY snapshot 2025-06-08T12:49:38\.000Z: no contract counts \(all 9072 skipped: .*no_iv \d+/,
    attempts: 1,
  },
  {
    fault: 'open interest as strings',
    symbol: 'SPY',
    respond: serve(SPY.replace(/"open_interest":([\d.]+)/g, '"open_interest":"$1"')),
    name: 'InvalidData',
    message:
      /not a valid Cboe delayed-quotes response: data\.options\[0\]\.open_interest is "[\d.]+": Invalid input: expected number, received string \(and 9071 more problems\)$/,
    attempts: 1,
  },
  {
    fault: 'every open interest null',
    symbol: 'BTC',
    respond: serve(everyField(BTC, 'open_interest', 'null')),
    name: 'InvalidData',
    // The BTC book's only venue here is refused, so the book is: its message quotes Deribit's.
    message:
      /BTC book: every venue is refused \(Deribit: BTC snapshot .*: no contract counts \(all 964 skipped: no_open_interest 964\)\)$/,
    attempts: 1,
  },
  {
    fault: 'a negative open interest',
    symbol: 'BTC',
    respond: serve(once('open_interest', '-5')(BTC)),
    name: 'InvalidData',
    message: /result\[0\]\.open_interest is -5: Too small: expected number to be >=0$/,
    attempts: 1,
  },
  {
    fault: 'NaN as a bare token',
    symbol: 'SPY',
    respond: serve(once('current_price', 'NaN')(SPY)),
    name: 'InvalidData',
    message: /invalid JSON \(Unexpected token 'N'/,
    attempts: 1,
  },
  {
    fault: 'NaN as a string',
    symbol: 'BTC',
    respond: serve(once('mark_iv', '"NaN"')(BTC)),
    name: 'InvalidData',
    message: /result\[0\]\.mark_iv is "NaN": Invalid input: expected number, received string$/,
    attempts: 1,
  },
  {
    // As a CDN serves a file: its length declared, so it is refused at the headers, however slow the line.
    fault: 'a response over the size limit',
    symbol: 'SPY',
    respond: (_req, res) => {
      const body = SPY.repeat(3);
      res.writeHead(200, { 'content-length': String(Buffer.byteLength(body)) }).end(body);
    },
    name: 'SourceRefused',
    message: /failed: a body of \d+ bytes \(its Content-Length\) is over the 8388608-byte limit$/,
    attempts: 1,
  },
  {
    fault: 'a response over the size limit, its length not declared',
    symbol: 'SPY',
    respond: serve(SPY.repeat(3)),
    name: 'SourceRefused',
    message: /failed: ERR_BAD_RESPONSE \(maxContentLength size of 8388608 exceeded\)$/,
    attempts: 1,
  },
  {
    fault: 'a timestamp two days old',
    symbol: 'SPY',
    respond: serve(SPY.replace('"timestamp":"2025-06-08 12:49:38"', '"timestamp":"2025-06-06 13:49:38"')),
    name: 'InvalidData',
    message:
      /the snapshot was taken at 2025-06-06T13:49:38Z, 48\.0 hours before this run; live equity data older than 36 hours is refused as stale/,
    attempts: 1,
  },
  {
    fault: "QQQ's chain at SPY's URL",
    symbol: 'SPY',
    respond: serve(CBOE.QQQ!),
    name: 'InvalidData',
    message: /cboe\/SPY\.json: the answer is a chain of QQQ, not of SPY as asked/,
    attempts: 1,
  },
  {
    fault: 'a number too large for a double (1e999)',
    symbol: 'BTC',
    respond: serve(once('mark_iv', '1e999')(BTC)),
    name: 'InvalidData',
    message: /result\[0\]\.mark_iv is 1e999: Invalid input: expected number, received Infinity$/,
    attempts: 1,
  },
  {
    fault: 'a redirect to itself',
    symbol: 'SPY',
    respond: serve('', 302, { location: cboePath }),
    name: 'SourceRefused',
    message: /failed: a redirect loop \(.*\/cboe\/SPY\.json → .*\/cboe\/SPY\.json\)$/,
    attempts: 1,
  },
  {
    fault: 'a redirect to file:',
    symbol: 'SPY',
    respond: serve('', 302, { location: 'file:///etc/passwd' }),
    name: 'SourceRefused',
    message:
      /failed: HTTP 302 Found to a file: URL \(file:\/\/\/etc\/passwd\): only http and https are followed$/,
    attempts: 1,
  },
  {
    fault: 'a 302 without Location',
    symbol: 'BTC',
    respond: serve('', 302),
    name: 'SourceRefused',
    message: /failed: HTTP 302 Found without a Location$/,
    attempts: 1,
  },
  {
    fault: 'a redirect to another host',
    symbol: 'SPY',
    respond: (req, res) =>
      void res.writeHead(301, { location: `http://localhost:${req.socket.localPort}${cboePath}` }).end(),
    name: 'SourceRefused',
    message: /failed: HTTP 301 Moved Permanently to another host \(http:\/\/localhost:\d+\/cboe\/SPY\.json\)/,
    attempts: 1,
  },
  {
    fault: 'CBOE_BASE_URL that is not a URL',
    symbol: 'SPY',
    respond: serve(SPY),
    cboeBase: 'not a url',
    name: 'SourceRefused',
    message: /: CBOE_BASE_URL='not a url' is not an http or https URL$/,
    attempts: 0,
  },
  {
    fault: 'a Deribit error message with ANSI escapes and a newline',
    symbol: 'BTC',
    respond: serve(
      JSON.stringify({
        jsonrpc: '2.0',
        error: {
          code: 13,
          message: '\u001b[31mboom\ngamma-report: failed: SPY (cboe, stage fetch): spoofed',
        },
      }),
    ),
    name: 'InvalidData',
    message:
      /Deribit answered error 13: \\u001b\[31mboom\\ngamma-report: failed: SPY \(cboe, stage fetch\): spoofed$/,
    attempts: 1,
  },
  {
    fault: 'a Deribit JSON-RPC error',
    symbol: 'BTC',
    respond: serve(
      '{"jsonrpc":"2.0","error":{"message":"Invalid params","data":{"reason":"wrong format","param":"currency"},"code":-32602},"usIn":1,"usOut":2,"usDiff":1,"testnet":false}',
    ),
    name: 'InvalidData',
    message: /Deribit answered error -32602: Invalid params$/,
    attempts: 1,
  },
];

describe('a failing source leaves the published reports exactly as they were', () => {
  it.each(CASES)('$fault ($symbol): $name', async (c) => {
    const before = await bucket();
    fault = c.respond;
    const runtime = config(c.symbol, undefined, c.cboeBase, c.http);
    const failure = await publishUnderlying(runtime)(c.symbol).catch((e: unknown) => e);
    // The outcome: the failure's name (stage, and whether Step Functions retries it) and its one line.
    expect(failure).toBeInstanceOf(RunFailure);
    const { name, message, stage, origin } = failure as RunFailure;
    expect(name).toBe(c.name);
    const venue = c.symbol === 'BTC' ? 'deribit' : 'cboe';
    expect(origin).toBe(venue);
    expect(message.startsWith(`${c.symbol} (${venue}, stage ${stage}): `)).toBe(true);
    expect(message).toMatch(c.message);
    expect(controlCharacters(message)).toEqual([]);
    // Retried or not: requests the run made for the chain.
    expect(requests).toHaveLength(c.attempts);

    // The aggregate step sees it as Step Functions hands it on, logs one line and rewrites the index.
    const outcome: MapOutcome = { symbol: c.symbol, status: 'failed', error: name };
    const { logs } = await quietly(() =>
      finishRun(config(c.symbol, INDEX_NOW))({ group: 'all', results: [outcome] }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'underlying failed',
        group: 'all',
        symbol: c.symbol,
        venue,
        stage,
        error: name,
      }),
    );
    expect(await bucket()).toEqual(before);
  });

  it('publishes after a 429 whose Retry-After it honours, with the same bytes as before', async () => {
    const before = await bucket();
    fault = (_req, res, attempt) =>
      attempt === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end(BTC);
    const started = Date.now();
    await expect(publishUnderlying(config('BTC'))('BTC')).resolves.toMatchObject({
      status: 'published',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(2);
    expect(await bucket()).toEqual(before);
  });

  it('publishes after a 503 and a reset, retried with backoff', async () => {
    const before = await bucket();
    fault = (req, res, attempt) =>
      attempt === 1
        ? res.writeHead(503).end()
        : attempt === 2
          ? req.socket.destroy()
          : res.writeHead(200).end(SPY);
    await expect(publishUnderlying(config('SPY'))('SPY')).resolves.toMatchObject({
      status: 'published',
    });
    expect(requests).toHaveLength(3);
    expect(await bucket()).toEqual(before);
  });

  it('stops retrying at the deadline, however many retries are left', async () => {
    fault = () => undefined;
    const runtime = config('SPY');
    const impatient = {
      ...runtime,
      live: { ...runtime.live, http: { ...HTTP, retries: 50, deadlineMs: 1000 } },
    };
    // Each attempt may wait 5 s and 50 retries are allowed, but the 1 s deadline ends the first and the run.
    await expect(publishUnderlying(impatient)('SPY')).rejects.toMatchObject({
      name: 'SourceUnavailable',
      message: expect.stringContaining('no complete answer within the 1 s deadline'),
    });
    expect(requests).toHaveLength(1);
  });
});

describe('the store failing mid-publish', () => {
  it('leaves every object that was there untouched when S3 stops between the dated write and latest', async () => {
    const before = await bucket();
    const runtime = config('SPY', new Date('2025-06-11T13:49:38Z'), `${base}/cboe-next`);
    // The real S3 store, with s3rver stopped right after the new dated JSON is written.
    const store: Store = {
      get: (k) => runtime.store.get(k),
      list: (p) => runtime.store.list(p),
      listed: (p) => runtime.store.listed(p),
      folders: () => runtime.store.folders(),
      put: async (key, body, options) => {
        await runtime.store.put(key, body, options);
        if (key === 'SPY/2025-06-09.json') await s3.close();
      },
    };
    const failure = await publishUnderlying({ ...runtime, store })('SPY').catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'PublishFailed', stage: 'publish' });
    expect((failure as Error).message).toMatch(/^SPY \(cboe, stage publish\): .*ECONNREFUSED/);

    await startS3(s3port);
    const after = await bucket();
    // Everything published before is byte for byte the same; the one new object is the complete dated record.
    expect(Object.keys(after).filter((k) => !(k in before))).toEqual(['SPY/2025-06-09.json']);
    for (const key of Object.keys(before)) expect([key, after[key]]).toEqual([key, before[key]]);
    expect(JSON.parse(after['SPY/2025-06-09.json']!)).toMatchObject({
      symbol: 'SPY',
      asOf: '2025-06-11T12:49:38.000Z',
    });

    // When S3 is back, the next run completes the publish.
    await publishUnderlying(runtime)('SPY');
    expect(JSON.parse((await runtime.store.get('SPY/latest.json'))!)).toMatchObject({
      asOf: '2025-06-11T12:49:38.000Z',
    });
  });
});

describe('two runs at once for the same underlying', () => {
  it('on the same snapshot: both publish, and the bucket holds what one run writes', async () => {
    const before = await bucket();
    const results = await Promise.all([
      publishUnderlying(config('BTC'))('BTC'),
      publishUnderlying(config('BTC'))('BTC'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['published', 'published']);
    expect(await bucket()).toEqual(before);
  });

  it('on two snapshots, the older one writing latest last: latest ends on the newer, with both dates', async () => {
    // QQQ has no report yet: the recorded chain (taken Saturday 2025-06-07 19:42 New York, Friday's session)
    // and the same three days later (Monday's session).
    const older = config('QQQ', new Date('2025-06-08T23:00:00Z'));
    const newer = config('QQQ', new Date('2025-06-10T23:50:00Z'), `${base}/cboe-next`);
    // Hold the older run just before it writes latest.json, until the newer run has finished.
    let release!: () => void;
    const newerDone = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const store: Store = {
      get: (k) => older.store.get(k),
      list: (p) => older.store.list(p),
      listed: (p) => older.store.listed(p),
      folders: () => older.store.folders(),
      put: async (key, body, options) => {
        if (key === 'QQQ/latest.json') {
          holding();
          await newerDone;
        }
        return older.store.put(key, body, options);
      },
    };
    const first = publishUnderlying({ ...older, store })('QQQ');
    await held;
    const second = await publishUnderlying(newer)('QQQ');
    release();
    await expect(first).resolves.toMatchObject({ status: 'published', latest: false });
    expect(second).toMatchObject({ status: 'published', latest: true });
    const latest = JSON.parse((await newer.store.get('QQQ/latest.json'))!) as { asOf: string };
    expect(latest.asOf).toBe('2025-06-10T23:42:30.000Z');
    const history = JSON.parse((await newer.store.get('QQQ/history.json'))!) as { date: string }[];
    expect(history.map((p) => p.date)).toEqual(['2025-06-06', '2025-06-09']);
    expect(await newer.store.get('QQQ/latest.html')).toBe(await newer.store.get('QQQ/2025-06-09.html'));
  });
});
