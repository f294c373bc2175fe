import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { fetchText, FetchError, retryAfterMs } from '../../lambda/live/http';
import { DEFAULT_SETTINGS, settingsFromEnv } from '../../lambda/contract';
import {
  fetchLiveBook,
  fetchLiveChain,
  liveInput,
  liveConfigFromEnv,
  liveUrls,
  requireFresh,
  venuePacers,
  type LiveConfig,
} from '../../lambda/live/fetch';
import { HOUR_MS, loadFixture, readFixture } from '../helpers';
import { parseChainText } from '../../lambda/readers/detect';
import {
  binanceAnswers,
  binancePaths,
  bybitAnswer,
  deribitUsdcAnswer,
  okxAnswers,
  USDC_COINS,
} from './venue-answers';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 whose behaviour each test sets; it records every request. */
let server: Server;
let base: string;
let handler: Handler;
let requests: IncomingMessage[];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = [];
});

const fast = { retries: 3, backoffMs: 5, timeoutMs: 2000 };
/** The freshness limits of a deployment that sets none: 36 h for Cboe, 2 h for Deribit. */
const LIMITS = { equity: 36, crypto: 2 };
/** The highest rate the settings allow, so pacing costs the tests little; each test's pacers are its own. */
const FAST_RATES = { ...DEFAULT_SETTINGS, requestsPerSecondCboe: 50, requestsPerSecondCrypto: 50 };
const config = (): LiveConfig => ({
  baseUrls: {
    cboe: `${base}/cboe/`,
    deribit: `${base}/deribit`,
    bybit: `${base}/bybit`,
    okx: `${base}/okx`,
    binance: `${base}/binance`,
  },
  maxAgeHours: LIMITS,
  pacers: venuePacers(FAST_RATES, 1),
  http: fast,
});
/** An hour after the recorded SPY and BTC snapshots were taken, so they are fresh. */
const SPY_NOW = new Date('2025-06-08T13:49:38Z');
const BTC_NOW = new Date('2026-03-13T20:00:00Z');

/** Like Cboe's CDN: 403 unless the client looks like a browser. */
function cboeLike(files: Record<string, string>): Handler {
  return (req, res) => {
    if (!/Mozilla\/5\.0/.test(req.headers['user-agent'] ?? '')) {
      res.writeHead(403).end('Forbidden');
      return;
    }
    const body = files[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end('Not Found');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
}

describe('live URLs', () => {
  it('prefixes Cboe indices with an underscore, not equities, and asks Deribit for options of a currency', () => {
    const c: Pick<LiveConfig, 'baseUrls'> = {
      baseUrls: {
        cboe: 'https://c.example/options',
        deribit: 'https://d.example/api/v2',
        bybit: 'https://b.example/',
        okx: 'https://o.example',
        binance: 'https://n.example/',
      },
    };
    expect(liveUrls('SPX', c)).toEqual({ chain: 'https://c.example/options/_SPX.json' });
    expect(liveUrls('VIX', c)).toEqual({ chain: 'https://c.example/options/_VIX.json' });
    expect(liveUrls('SPY', c)).toEqual({ chain: 'https://c.example/options/SPY.json' });
    expect(liveUrls('BTC', c)).toEqual({
      chain: 'https://d.example/api/v2/public/get_book_summary_by_currency?currency=BTC&kind=option',
    });
    // A USDC-linear coin's options come in the USDC book, every coin's together.
    expect(liveUrls('XRP_USDC', c)).toEqual({
      chain: 'https://d.example/api/v2/public/get_book_summary_by_currency?currency=USDC&kind=option',
    });
    expect(liveUrls('ETH-BYBIT', c)).toEqual({
      chain: 'https://b.example/v5/market/tickers?category=option&baseCoin=ETH',
    });
    expect(liveUrls('BTC-OKX', c)).toEqual({
      'opt-summary': 'https://o.example/api/v5/public/opt-summary?instFamily=BTC-USD',
      'open-interest': 'https://o.example/api/v5/public/open-interest?instType=OPTION&instFamily=BTC-USD',
      'index-tickers': 'https://o.example/api/v5/market/index-tickers?instId=BTC-USD',
      tickers: 'https://o.example/api/v5/market/tickers?instType=OPTION&instFamily=BTC-USD',
    });
    // Binance's open interest is asked for per expiry once these answers name the expiries.
    expect(liveUrls('ETH-BINANCE', c)).toEqual({
      exchangeInfo: 'https://n.example/eapi/v1/exchangeInfo',
      mark: 'https://n.example/eapi/v1/mark',
      index: 'https://n.example/eapi/v1/index?underlying=ETHUSDT',
    });
  });

  it('reads base URLs and age limits from the environment, with the public defaults and 36 h / 2 h', () => {
    const { pacers, ...rest } = liveConfigFromEnv({}, settingsFromEnv({}));
    expect(rest).toEqual({
      baseUrls: {
        cboe: 'https://cdn.cboe.com/api/global/delayed_quotes/options',
        deribit: 'https://www.deribit.com/api/v2',
        bybit: 'https://api.bybit.com',
        okx: 'https://www.okx.com',
        binance: 'https://eapi.binance.com',
      },
      maxAgeHours: { equity: 36, crypto: 2 },
    });
    // Alone (no MAX_CONCURRENCY), a process takes the whole default rate: 8 a second to Cboe, 5 to Deribit.
    expect([pacers.cboe.intervalMs, pacers.deribit.intervalMs]).toEqual([125, 200]);
    const env = {
      CBOE_BASE_URL: 'http://127.0.0.1:1/c',
      DERIBIT_BASE_URL: 'http://127.0.0.1:1/d',
      BYBIT_BASE_URL: 'http://127.0.0.1:1/b',
      OKX_BASE_URL: 'http://127.0.0.1:1/o',
      BINANCE_BASE_URL: 'http://127.0.0.1:1/n',
      MAX_AGE_HOURS_EQUITY: '72',
      MAX_AGE_HOURS_CRYPTO: '0.5',
    };
    expect(liveConfigFromEnv(env, settingsFromEnv(env))).toMatchObject({
      baseUrls: {
        cboe: 'http://127.0.0.1:1/c',
        deribit: 'http://127.0.0.1:1/d',
        bybit: 'http://127.0.0.1:1/b',
        okx: 'http://127.0.0.1:1/o',
        binance: 'http://127.0.0.1:1/n',
      },
      maxAgeHours: { equity: 72, crypto: 0.5 },
    });
    // One of 4 functions at once with 10 a second to Cboe: one request each 400 ms.
    const shared = { MAX_CONCURRENCY: '4', REQUESTS_PER_SECOND_CBOE: '10' };
    expect(liveConfigFromEnv(shared, settingsFromEnv(shared)).pacers.cboe.intervalMs).toBe(400);
    expect(() => liveConfigFromEnv({ MAX_CONCURRENCY: '0' }, settingsFromEnv({}))).toThrow(
      'environment variable MAX_CONCURRENCY: "0" is not a whole number from 1',
    );
    expect(() => settingsFromEnv({ MAX_AGE_HOURS_CRYPTO: '-1', POSITIONING: 'x' })).toThrow(
      'environment variable POSITIONING: "x" is not one of classic, dealer-short\nenvironment variable MAX_AGE_HOURS_CRYPTO: "-1" is not a positive number of hours',
    );
  });
});

describe('the age limit of live snapshots', () => {
  const spy = loadFixture('cboe_SPY_2025-06-06.json');
  const btc = loadFixture('deribit_BTC_2026-03-13.json');
  const after = (chain: { asOf: number }, hours: number) => new Date(chain.asOf + hours * HOUR_MS);
  /** BTC's rows were created within 11 ms of each other; the median row, 7 ms before the newest, sets the age. */
  const median = 1773428415535;

  it('accepts equities up to 36 hours old and crypto up to 2 hours old', () => {
    expect(() => requireFresh(spy, after(spy, 36), LIMITS, 'u')).not.toThrow();
    expect(btc.ageAsOf).toBe(median);
    expect(() => requireFresh(btc, new Date(median + 2 * HOUR_MS), LIMITS, 'u')).not.toThrow();
  });

  it('judges a Deribit answer by its median row, so one fresh row among stale ones does not pass (§3)', () => {
    const doc = JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as {
      result: { creation_timestamp: number }[];
    };
    const newest = Math.max(...doc.result.map((r) => r.creation_timestamp));
    doc.result.forEach((r, i) => (r.creation_timestamp = i === 0 ? newest : newest - 72 * HOUR_MS));
    const stale = parseChainText(JSON.stringify(doc), { origin: 'u', now: newest });
    expect(stale.asOf).toBe(newest);
    expect(() => requireFresh(stale, new Date(newest + 60_000), LIMITS, 'u')).toThrow(
      /^u: the median row was taken at 2026-03-10T19:00:15\.5\d\dZ \(the newest at 2026-03-13T19:00:15\.5\d\dZ\), 72\.0 hours before this run; live crypto data older than 2 hours is refused as stale/,
    );
  });

  it('refuses older ones, saying when the snapshot was taken, how old it is and which limit applies', () => {
    expect(() => requireFresh(spy, after(spy, 36.1), LIMITS, 'https://x/SPY.json')).toThrow(
      'https://x/SPY.json: the snapshot was taken at 2025-06-08T12:49:38Z, 36.1 hours before this run; live equity data older than 36 hours is refused as stale (limit: MAX_AGE_HOURS_EQUITY or --max-age)',
    );
    expect(() => requireFresh(btc, after(btc, 2.1), LIMITS, 'u')).toThrow(
      /2\.1 hours before this run; live crypto data older than 2 hours is refused as stale \(limit: MAX_AGE_HOURS_CRYPTO/,
    );
  });

  it('refuses a snapshot from the future beyond clock skew', () => {
    expect(() => requireFresh(btc, after(btc, -0.2), LIMITS, 'u')).not.toThrow();
    expect(() => requireFresh(btc, after(btc, -1), LIMITS, 'u')).toThrow(
      'u: the snapshot time 2026-03-13T19:00:15.542Z is in the future (clock now 2026-03-13T18:00:15.542Z)',
    );
  });
});

describe('fetching live chains from a local server', () => {
  it('downloads a Cboe chain with a browser User-Agent and parses it', async () => {
    handler = cboeLike({ '/cboe/SPY.json': readFixture('cboe_SPY_2025-06-06.json') });
    const chain = await fetchLiveChain('SPY', config(), SPY_NOW);
    expect(chain).toMatchObject({ symbol: 'SPY', source: 'cboe', spot: 599.14 });
    expect(chain.contracts).toHaveLength(9072);
    expect(requests).toHaveLength(1);
  });

  it('downloads the Deribit book summary for the currency', async () => {
    handler = (req, res) => {
      if (req.url === '/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(readFixture('deribit_BTC_2026-03-13.json'));
      } else res.writeHead(400).end();
    };
    const chain = await fetchLiveChain('BTC', config(), BTC_NOW);
    expect(chain).toMatchObject({ symbol: 'BTC', source: 'deribit', spot: 71048.7 });
    expect(chain.contracts).toHaveLength(964);
    // BTC names the book of every venue; Deribit's chain alone is BTC-DERIBIT, from the same answer.
    const [alone] = await liveInput('BTC-DERIBIT', config(), () => BTC_NOW).load();
    expect(alone).toMatchObject({ symbol: 'BTC-DERIBIT', venue: 'deribit', spot: 71048.7 });
    expect(alone!.contracts).toEqual(chain.contracts);
    expect(alone!.book).toBeUndefined();
    expect(requests.map((r) => r.url)).toEqual([
      '/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option',
      '/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option',
    ]);
  });

  it("downloads Deribit's USDC book for a linear coin and reads that coin alone, as the book alone (no venue to add)", async () => {
    handler = (req, res) => {
      if (req.url === '/deribit/public/get_book_summary_by_currency?currency=USDC&kind=option') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(deribitUsdcAnswer());
      } else res.writeHead(400).end();
    };
    const input = liveInput('SOL_USDC', config(), () => BTC_NOW);
    expect(input.origin).toBe('deribit');
    const [chain] = await input.load();
    expect(chain).toMatchObject({ symbol: 'SOL_USDC', source: 'deribit', venue: 'deribit' });
    expect(chain!.spot).toBeCloseTo(71048.7 * USDC_COINS.SOL, 9);
    expect(chain!.contracts).toHaveLength(964);
    expect(chain!.book).toBeUndefined();
    expect(requests.map((r) => r.url)).toEqual([
      '/deribit/public/get_book_summary_by_currency?currency=USDC&kind=option',
    ]);
    // A coin the book does not hold is refused by name, with what it holds.
    await expect(fetchLiveChain('HYPE_USDC', config(), BTC_NOW)).rejects.toThrow(
      `${base}/deribit/public/get_book_summary_by_currency?currency=USDC&kind=option: the answer holds no HYPE_USDC options (it holds SOL_USDC, XRP_USDC)`,
    );
  });

  it('downloads the Bybit option tickers of the coin as BTC-BYBIT', async () => {
    handler = (req, res) => {
      if (req.url === '/bybit/v5/market/tickers?category=option&baseCoin=BTC') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(bybitAnswer(0.1));
      } else res.writeHead(400).end();
    };
    const chain = await fetchLiveChain('BTC-BYBIT', config(), BTC_NOW);
    expect(chain).toMatchObject({ symbol: 'BTC-BYBIT', source: 'bybit', venue: 'bybit', spot: 71048.7 });
    expect(chain.contracts).toHaveLength(964);
  });

  it("downloads OKX's four answers at once and joins them by instrument", async () => {
    const answers = okxAnswers(0.1);
    const paths: Record<string, string> = {
      '/okx/api/v5/public/opt-summary?instFamily=BTC-USD': answers['opt-summary'],
      '/okx/api/v5/public/open-interest?instType=OPTION&instFamily=BTC-USD': answers['open-interest'],
      '/okx/api/v5/market/index-tickers?instId=BTC-USD': answers['index-tickers'],
      '/okx/api/v5/market/tickers?instType=OPTION&instFamily=BTC-USD': answers.tickers,
    };
    handler = (req, res) => {
      const body = paths[req.url ?? ''];
      if (body === undefined) res.writeHead(400).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
    const chain = await fetchLiveChain('BTC-OKX', config(), BTC_NOW);
    expect(chain).toMatchObject({ symbol: 'BTC-OKX', source: 'okx', venue: 'okx', spot: 71048.7 });
    expect(chain.contracts).toHaveLength(964);
    expect(requests.map((r) => r.url).sort()).toEqual(Object.keys(paths).sort());
    // One answer failing fails the chain, naming its URL: a chain without its open interest is no chain.
    Reflect.deleteProperty(paths, '/okx/api/v5/public/open-interest?instType=OPTION&instFamily=BTC-USD');
    await expect(fetchLiveChain('BTC-OKX', config(), BTC_NOW)).rejects.toThrow(
      `GET ${base}/okx/api/v5/public/open-interest?instType=OPTION&instFamily=BTC-USD failed: HTTP 400`,
    );
  });

  it("downloads Binance's listing, marks and index, then each listed expiry's open interest, at most 4 at once", async () => {
    const paths = binancePaths(0.1, '/binance');
    let open = 0;
    let most = 0;
    handler = (req, res) => {
      const body = paths[req.url ?? ''];
      if (body === undefined) return void res.writeHead(400).end();
      open += 1;
      most = Math.max(most, open);
      setTimeout(() => {
        open -= 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        // Longer than the pacer's 20 ms between requests (50 a second), so four are in flight at once.
      }, 200);
    };
    const chain = await fetchLiveChain('BTC-BINANCE', config(), BTC_NOW);
    expect(chain).toMatchObject({
      symbol: 'BTC-BINANCE',
      source: 'binance',
      venue: 'binance',
      spot: 71048.7,
    });
    expect(chain.contracts).toHaveLength(964);
    // The ETH option the listing also holds is not asked for: twelve BTC expiries, after the three answers.
    const asked = requests.map((r) => r.url!);
    expect(asked.slice(3).map((u) => /expiration=(\d+)$/.exec(u)?.[1])).toEqual(
      Object.keys(binanceAnswers(0.1).openInterest).sort(),
    );
    expect(asked).toHaveLength(3 + 12);
    expect(most).toBe(4);
  });

  it("fails Binance's chain when one expiry's open interest fails, naming its URL", async () => {
    const paths = binancePaths(0.1, '/binance');
    Reflect.deleteProperty(paths, '/binance/eapi/v1/openInterest?underlyingAsset=BTC&expiration=260320');
    handler = (req, res) => {
      const body = paths[req.url ?? ''];
      if (body === undefined) res.writeHead(400).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
    await expect(fetchLiveChain('BTC-BINANCE', config(), BTC_NOW)).rejects.toThrow(
      `GET ${base}/binance/eapi/v1/openInterest?underlyingAsset=BTC&expiration=260320 failed: HTTP 400`,
    );
    // The expiries after it in the queue are never asked for: at most the three in flight beside it.
    expect(requests.length).toBeLessThanOrEqual(3 + 8);
  });

  it('refuses a venue answer for another coin than the one asked for', async () => {
    handler = (_req, res) => res.writeHead(200).end(bybitAnswer(0.1));
    await expect(fetchLiveChain('ETH-BYBIT', config(), BTC_NOW)).rejects.toThrow(
      `${base}/bybit/v5/market/tickers?category=option&baseCoin=ETH: the answer is a chain of BTC-BYBIT, not of ETH-BYBIT as asked`,
    );
  });

  it('does not retry a 404 and names the URL and status', async () => {
    handler = cboeLike({});
    await expect(fetchLiveChain('SPX', config(), SPY_NOW)).rejects.toThrow(
      `GET ${base}/cboe/_SPX.json failed: HTTP 404 Not Found`,
    );
    expect(requests.map((r) => r.url)).toEqual(['/cboe/_SPX.json']);
  });

  it("after a 404, names the symbol another venue lists one letter away, or the book a bare coin's options are in", async () => {
    handler = cboeLike({});
    await expect(fetchLiveChain('BTCC', config(), SPY_NOW)).rejects.toThrow(
      `GET ${base}/cboe/BTCC.json failed: HTTP 404 Not Found; did you mean BTC (Deribit)?`,
    );
    await expect(fetchLiveChain('ET', config(), SPY_NOW)).rejects.toThrow(
      /404 Not Found; did you mean ETH \(Deribit\)\?$/,
    );
    await expect(fetchLiveChain('SOL', config(), SPY_NOW)).rejects.toThrow(
      /404 Not Found; Deribit lists SOL's options as SOL_USDC$/,
    );
    // A letter added inside, or the first one dropped.
    await expect(fetchLiveChain('BXTC', config(), SPY_NOW)).rejects.toThrow(
      /did you mean BTC \(Deribit\)\?$/,
    );
    await expect(fetchLiveChain('TH', config(), SPY_NOW)).rejects.toThrow(/did you mean ETH \(Deribit\)\?$/);
    // Nothing near: the 404 alone.
    await expect(fetchLiveChain('QQQX', config(), SPY_NOW)).rejects.toThrow(/HTTP 404 Not Found$/);
    await expect(fetchLiveChain('BTCUSD', config(), SPY_NOW)).rejects.toThrow(/HTTP 404 Not Found$/);
  });

  it('names a response that is not JSON', async () => {
    handler = (_req, res) => res.writeHead(200).end('<html>maintenance</html>');
    await expect(fetchLiveChain('SPY', config(), SPY_NOW)).rejects.toThrow(
      `${base}/cboe/SPY.json: invalid JSON`,
    );
  });
});

describe('the HTTP helper', () => {
  it('sends a browser-like User-Agent', async () => {
    handler = (_req, res) => res.writeHead(200).end('ok');
    await fetchText(`${base}/ua`, fast);
    expect(requests[0]?.headers['user-agent']).toMatch(/^Mozilla\/5\.0 .*Chrome\//);
  });

  it('retries 5xx answers with backoff and returns the first success', async () => {
    let n = 0;
    handler = (_req, res) => (++n <= 2 ? res.writeHead(503).end() : res.writeHead(200).end('third time'));
    await expect(fetchText(`${base}/flaky`, fast)).resolves.toBe('third time');
    expect(requests).toHaveLength(3);
  });

  it('retries 429 after the Retry-After the server asks for', async () => {
    let n = 0;
    handler = (_req, res) =>
      ++n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end('ok');
    const start = Date.now();
    await expect(fetchText(`${base}/limited`, fast)).resolves.toBe('ok');
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(2);
  });

  it('gives up after the last retry, saying how many attempts it made', async () => {
    handler = (_req, res) => res.writeHead(500, 'Internal Server Error').end();
    const error = await fetchText(`${base}/down`, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).message).toBe(
      `GET ${base}/down failed: HTTP 500 Internal Server Error after 4 attempts`,
    );
    expect((error as FetchError).status).toBe(500);
    expect(requests).toHaveLength(4);
  });

  it('refuses a body over the size limit without retrying', async () => {
    handler = (_req, res) => res.writeHead(200).end('x'.repeat(5000));
    await expect(fetchText(`${base}/big`, { ...fast, maxBytes: 1000 })).rejects.toThrow(
      /maxContentLength size of 1000 exceeded/,
    );
    expect(requests).toHaveLength(1);
  });

  it('asks for gzip and unpacks a gzip body', async () => {
    handler = (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.from('{"packed":true}')));
    await expect(fetchText(`${base}/gz`, fast)).resolves.toBe('{"packed":true}');
    expect(requests[0]?.headers['accept-encoding']).toBe('gzip');
  });

  it('retries a gzip body cut short with a Content-Length that matches the cut (once read as invalid data)', async () => {
    const whole = gzipSync(Buffer.from(readFixture('cboe_SPY_2025-06-06.json')));
    const cut = whole.subarray(0, whole.length >> 1);
    let n = 0;
    handler = (_req, res) => {
      const body = ++n === 1 ? cut : whole;
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
    };
    await expect(fetchText(`${base}/cut.gz`, fast)).resolves.toBe(readFixture('cboe_SPY_2025-06-06.json'));
    expect(requests).toHaveLength(2);
    handler = (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': cut.length }).end(cut);
    const error = (await fetchText(`${base}/always-cut.gz`, { ...fast, retries: 1 }).catch(
      (e: unknown) => e,
    )) as FetchError;
    expect(error.message).toBe(
      `GET ${base}/always-cut.gz failed: the gzip body is cut or damaged (Z_BUF_ERROR: unexpected end of file) after 2 attempts`,
    );
    expect(error.transient).toBe(true);
  });

  it('refuses, without retrying, a gzip body that unpacks beyond the size limit (a bomb) or an encoding not asked for', async () => {
    handler = (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(10_000_000)));
    const bomb = (await fetchText(`${base}/bomb.gz`, { ...fast, maxBytes: 1_000_000 }).catch(
      (e: unknown) => e,
    )) as FetchError;
    expect([bomb.message, bomb.transient]).toEqual([
      `GET ${base}/bomb.gz failed: the unpacked body is over the 1000000-byte limit`,
      false,
    ]);
    handler = (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end('x');
    await expect(fetchText(`${base}/br`, fast)).rejects.toThrow(
      'a body in the br encoding, which was not asked for',
    );
    expect(requests).toHaveLength(2);
  });

  it('refuses a body whose declared length is over the limit at its headers, whatever the speed', async () => {
    // Headers only, then nothing: the refusal cannot wait for the body, so it is no race with the timeout.
    handler = (_req, res) => void res.writeHead(200, { 'content-length': '5000' }).flushHeaders();
    const error = await fetchText(`${base}/declared`, { ...fast, maxBytes: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).message).toBe(
      `GET ${base}/declared failed: a body of 5000 bytes (its Content-Length) is over the 1000-byte limit`,
    );
    expect((error as FetchError).transient).toBe(false);
    expect(requests).toHaveLength(1);
  });

  it('retries a body cut off mid-way, naming the closed connection', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.write('x'.repeat(1000), () => res.destroy());
    };
    const error = await fetchText(`${base}/cut`, { ...fast, retries: 1 }).catch((e: unknown) => e);
    expect((error as FetchError).message).toBe(
      `GET ${base}/cut failed: ECONNRESET (the connection closed before the body ended) after 2 attempts`,
    );
    expect((error as FetchError).transient).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('times out a server that never answers, and retries it', async () => {
    handler = () => undefined;
    await expect(fetchText(`${base}/hang`, { retries: 1, backoffMs: 5, timeoutMs: 150 })).rejects.toThrow(
      /ECONNABORTED .*timeout of 150ms exceeded.* after 2 attempts/,
    );
    expect(requests).toHaveLength(2);
  });

  it('retries a refused connection, then names the network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fetchText(`http://127.0.0.1:${port}/`, { retries: 2, backoffMs: 5 })).rejects.toThrow(
      /ECONNREFUSED.* after 3 attempts/,
    );
  });
});

describe('a live answer must be for the symbol asked for', () => {
  it("refuses QQQ's chain served at SPY's URL, naming both", async () => {
    handler = cboeLike({ '/cboe/SPY.json': readFixture('cboe_QQQ_2025-06-06.json') });
    await expect(fetchLiveChain('SPY', config(), SPY_NOW)).rejects.toThrow(
      `${base}/cboe/SPY.json: the answer is a chain of QQQ, not of SPY as asked: refused, so that it is never published as SPY`,
    );
  });

  it("refuses BTC's book served for ETH", async () => {
    handler = (_req, res) => res.writeHead(200).end(readFixture('deribit_BTC_2026-03-13.json'));
    await expect(fetchLiveChain('ETH', config(), BTC_NOW)).rejects.toThrow(
      /get_book_summary_by_currency\?currency=ETH&kind=option: the answer is a chain of BTC, not of ETH as asked/,
    );
  });

  it('accepts a chain of the symbol under its weekly roots (SPXW is SPX)', async () => {
    const spx = JSON.stringify({
      timestamp: '2025-06-08 12:49:38',
      data: {
        current_price: 6000,
        options: [
          { option: 'SPXW250620C06000000', open_interest: 10, iv: 0.2 },
          { option: 'SPX250620P06000000', open_interest: 10, iv: 0.2 },
        ],
      },
    });
    handler = cboeLike({ '/cboe/_SPX.json': spx });
    await expect(fetchLiveChain('SPX', config(), SPY_NOW)).resolves.toMatchObject({ symbol: 'SPX' });
  });
});

describe('permanent faults are not retried', () => {
  const redirect =
    (to: (url: string) => string | undefined, status = 302): Handler =>
    (req, res) => {
      const location = to(req.url ?? '');
      res.writeHead(status, location === undefined ? {} : { location }).end();
    };

  it('refuses a base URL that is not http or https, without a request', async () => {
    await expect(fetchText('ftp://127.0.0.1/SPY.json', fast)).rejects.toMatchObject({
      message: 'GET ftp://127.0.0.1/SPY.json failed: not an http or https URL',
      transient: false,
    });
  });

  it('names the variable holding a base URL that is not a URL', async () => {
    const c = { ...config(), baseUrls: { ...config().baseUrls, cboe: 'not a url' } };
    await expect(fetchLiveChain('SPY', c, SPY_NOW)).rejects.toMatchObject({
      message: "CBOE_BASE_URL='not a url' is not an http or https URL",
      transient: false,
    });
    expect(requests).toHaveLength(0);
  });

  it('stops a redirect loop at once', async () => {
    handler = redirect((url) => (url === '/a' ? '/b' : '/a'));
    await expect(fetchText(`${base}/a`, fast)).rejects.toMatchObject({
      message: `GET ${base}/a failed: a redirect loop (${base}/a → ${base}/b → ${base}/a)`,
      transient: false,
    });
    expect(requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('never follows a redirect to file:', async () => {
    handler = redirect(() => 'file:///etc/passwd');
    await expect(fetchText(`${base}/x`, fast)).rejects.toMatchObject({
      message: `GET ${base}/x failed: HTTP 302 Found to a file: URL (file:///etc/passwd): only http and https are followed`,
      transient: false,
    });
    expect(requests).toHaveLength(1);
  });

  it('refuses a 302 without a Location', async () => {
    handler = redirect(() => undefined);
    await expect(fetchText(`${base}/x`, fast)).rejects.toMatchObject({
      message: `GET ${base}/x failed: HTTP 302 Found without a Location`,
      transient: false,
    });
    expect(requests).toHaveLength(1);
  });

  it('does not follow a redirect to another host', async () => {
    const other = base.replace('127.0.0.1', 'localhost');
    handler = redirect(() => `${other}/SPY.json`, 301);
    await expect(fetchText(`${base}/x`, fast)).rejects.toMatchObject({
      message: `GET ${base}/x failed: HTTP 301 Moved Permanently to another host (${other}/SPY.json): only redirects within ${base.slice(7)} are followed`,
      transient: false,
    });
    expect(requests).toHaveLength(1);
  });

  it('follows at most 3 redirects', async () => {
    handler = redirect((url) => `/r${Number(url.slice(2)) + 1}`);
    await expect(fetchText(`${base}/r1`, fast)).rejects.toMatchObject({
      message: `GET ${base}/r1 failed: more than 3 redirects`,
      transient: false,
    });
    expect(requests.map((r) => r.url)).toEqual(['/r1', '/r2', '/r3', '/r4']);
  });

  it('follows a redirect within the same host', async () => {
    handler = (req, res) =>
      req.url === '/old' ? res.writeHead(307, { location: '/new' }).end() : res.writeHead(200).end('moved');
    await expect(fetchText(`${base}/old`, fast)).resolves.toBe('moved');
    expect(requests.map((r) => r.url)).toEqual(['/old', '/new']);
  });
});

describe('transient faults and the waits between attempts', () => {
  afterEach(() => jest.restoreAllMocks());

  it('retries 408 Request Timeout', async () => {
    let n = 0;
    handler = (_req, res) => (++n === 1 ? res.writeHead(408).end() : res.writeHead(200).end('ok'));
    await expect(fetchText(`${base}/slow`, fast)).resolves.toBe('ok');
    expect(requests).toHaveLength(2);
  });

  it('honours Retry-After written as an HTTP date', async () => {
    let n = 0;
    handler = (_req, res) =>
      ++n === 1
        ? res.writeHead(429, { 'retry-after': new Date(Date.now() + 2000).toUTCString() }).end()
        : res.writeHead(200).end('ok');
    const start = Date.now();
    await expect(fetchText(`${base}/limited`, fast)).resolves.toBe('ok');
    // An HTTP date has whole seconds: the wait is between 1 and 2 s, never the 5 ms backoff.
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
  });

  it('does not read an empty Retry-After as "now": the backoff applies', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    let n = 0;
    handler = (_req, res) =>
      ++n === 1 ? res.writeHead(429, { 'retry-after': '' }).end() : res.writeHead(200).end('ok');
    const start = Date.now();
    await expect(fetchText(`${base}/limited`, { ...fast, backoffMs: 400 })).resolves.toBe('ok');
    // Full jitter with random() = 0.5: half of 2 × 400 ms.
    expect(Date.now() - start).toBeGreaterThanOrEqual(380);
  });

  it.each([
    ['2', 2000],
    ['3600', 30_000],
    ['', null],
    ['  ', null],
    ['-1', null],
    ['1.5', null],
    ['soon', null],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['Thu, 01 Jan 2026 00:05:00 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
  ])('reads Retry-After %j as %p ms (capped at 30 s)', (header, ms) => {
    expect(retryAfterMs(header, Date.parse('2026-01-01T00:00:00Z'))).toBe(ms);
  });

  it('bounds the whole attempt, body included: a 1 byte per 100 ms drip ends at the attempt timeout', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      const drip = setInterval(() => res.write('x'), 100);
      req.socket.on('close', () => clearInterval(drip));
    };
    await expect(
      fetchText(`${base}/drip`, { retries: 1, backoffMs: 5, timeoutMs: 400, deadlineMs: 20_000 }),
    ).rejects.toThrow(`GET ${base}/drip failed: ECONNABORTED (timeout of 400ms exceeded) after 2 attempts`);
    expect(requests).toHaveLength(2);
  });
});

describe('upstream text is printed on one line', () => {
  it('escapes control characters in a status text', async () => {
    handler = (_req, res) => res.writeHead(403, 'Denied\u009b31m').end();
    await expect(fetchText(`${base}/x`, fast)).rejects.toThrow(
      `GET ${base}/x failed: HTTP 403 Denied\\u009b31m`,
    );
  });

  it('escapes ANSI escapes and newlines in a Deribit error message', async () => {
    const spoof = '\u001b[31mboom\ngamma-report: failed: SPY (cboe, stage fetch): fake';
    handler = (_req, res) =>
      res.writeHead(200).end(JSON.stringify({ jsonrpc: '2.0', error: { code: 1, message: spoof } }));
    const error = (await fetchLiveChain('BTC', config(), BTC_NOW).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `${base}/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option: Deribit answered error 1: \\u001b[31mboom\\ngamma-report: failed: SPY (cboe, stage fetch): fake`,
    );
  });
});

describe('the live BTC book across venues (docs/methodology.md §17)', () => {
  /** Every venue's BTC answers, the others' open interest a tenth, a fifth and a twentieth of Deribit's; `down` answer 503. */
  function venues(down: string[] = []): Handler {
    const okx = okxAnswers(0.2);
    const paths: Record<string, string> = {
      '/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option': readFixture(
        'deribit_BTC_2026-03-13.json',
      ),
      '/bybit/v5/market/tickers?category=option&baseCoin=BTC': bybitAnswer(0.1),
      '/okx/api/v5/public/opt-summary?instFamily=BTC-USD': okx['opt-summary'],
      '/okx/api/v5/public/open-interest?instType=OPTION&instFamily=BTC-USD': okx['open-interest'],
      '/okx/api/v5/market/index-tickers?instId=BTC-USD': okx['index-tickers'],
      '/okx/api/v5/market/tickers?instType=OPTION&instFamily=BTC-USD': okx.tickers,
      ...binancePaths(0.05, '/binance'),
    };
    return (req, res) => {
      const url = req.url ?? '';
      const body = paths[url];
      if (down.some((v) => url.startsWith(`/${v}/`))) res.writeHead(503).end();
      else if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
  }

  it('fetches Deribit, Bybit, OKX and Binance at once and sums them into one BTC book on the Deribit index', async () => {
    handler = venues();
    const warnings: string[] = [];
    const chain = await fetchLiveBook('BTC', { ...config(), warn: (m) => warnings.push(m) }, BTC_NOW);
    expect(warnings).toEqual([]);
    expect(chain).toMatchObject({ symbol: 'BTC', venue: 'deribit', spot: 71048.7 });
    expect(chain.book).toEqual({
      venues: [
        { venue: 'deribit', asOf: Date.parse('2026-03-13T19:00:15.542Z') },
        { venue: 'bybit', asOf: Date.parse('2026-03-13T19:00:15.542Z') },
        { venue: 'okx', asOf: Date.parse('2026-03-13T19:00:15.542Z') },
        { venue: 'binance', asOf: Date.parse('2026-03-13T19:00:15.542Z') },
      ],
      leftOut: [],
    });
    expect(chain.contracts).toHaveLength(4 * 964);
    // Each venue's coins as its answer gave them: Bybit's a tenth of Deribit's, OKX's whole 0.01 BTC contracts.
    const coins = (v: string) =>
      chain.contracts.filter((c) => c.venue === v).reduce((sum, c) => sum + (c.openInterest || 0), 0);
    expect(coins('bybit') / coins('deribit')).toBeCloseTo(0.1, 12);
    expect(Math.abs(coins('okx') / coins('deribit') - 0.2)).toBeLessThan(0.001);
    expect(Math.abs(coins('binance') / coins('deribit') - 0.05)).toBeLessThan(0.001);
    // Binance: its listing, marks and index, then the open interest of each of its twelve BTC expiries.
    expect(requests).toHaveLength(6 + 3 + 12);
  });

  it('leaves out a venue that fails, with a warning naming it, and publishes the others', async () => {
    handler = venues(['bybit']);
    const warnings: string[] = [];
    const chain = await fetchLiveBook('BTC', { ...config(), warn: (m) => warnings.push(m) }, BTC_NOW);
    expect(chain.book!.venues.map((v) => v.venue)).toEqual(['deribit', 'okx', 'binance']);
    const reason = `GET ${base}/bybit/v5/market/tickers?category=option&baseCoin=BTC failed: HTTP 503 Service Unavailable after 4 attempts`;
    expect(chain.book!.leftOut).toEqual([{ venue: 'bybit', reason }]);
    expect(warnings).toEqual([`BTC book: Bybit left out: ${reason}`]);
    expect(chain.contracts).toHaveLength(3 * 964);
  });

  it('fails as Deribit failed when every venue fails, and is what `--live BTC` loads', async () => {
    handler = venues(['deribit', 'bybit', 'okx', 'binance']);
    await expect(fetchLiveBook('BTC', config(), BTC_NOW)).rejects.toThrow(
      `GET ${base}/deribit/public/get_book_summary_by_currency?currency=BTC&kind=option failed: HTTP 503 Service Unavailable after 4 attempts`,
    );
    handler = venues(['okx', 'binance']);
    const [chain] = await liveInput('BTC', config(), () => BTC_NOW).load();
    expect(chain!.book!.venues.map((v) => v.venue)).toEqual(['deribit', 'bybit']);
    expect(chain!.book!.leftOut.map((v) => v.venue)).toEqual(['okx', 'binance']);
    // One venue's symbol stays that venue's chain alone.
    const [bybit] = await liveInput('BTC-BYBIT', config(), () => BTC_NOW).load();
    expect(bybit).toMatchObject({ symbol: 'BTC-BYBIT', venue: 'bybit' });
    expect(bybit!.book).toBeUndefined();
  });
});
