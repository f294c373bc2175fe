import { analyse } from '../../lambda/gamma/analyse';
import { gexAt, prepare } from '../../lambda/gamma/exposure';
import { parseChainText } from '../../lambda/readers/detect';
import type { OptionChain, OptionContract } from '../../lambda/types';
import { readFixture, venueMessages } from '../helpers';
import { binanceDocument } from '../live/venue-answers';

/**
 * The Bybit, OKX and Binance readers on real messages (docs/methodology.md §17): each field's meaning and unit pinned by
 * the venue's own numbers, and a contract's exposure equal to the same contract's read by the Deribit reader
 * from the same forward, volatility and coins of open interest.
 */

const YEAR_MS = 365 * 86400 * 1000;
const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
/** Black-76 gamma per unit of the underlying, written out from §4. */
function gamma(F: number, K: number, iv: number, years: number): number {
  const s = iv * Math.sqrt(years);
  return phi((Math.log(F / K) + (s * s) / 2) / s) / (F * s);
}
/** The product's GEX of one contract of a chain, USD per 1% move, at the chain's spot. */
function gexOf(chain: OptionChain, c: OptionContract): number {
  const [p] = prepare(chain, [c], 'classic', { riskFreeRate: 0, dividendYield: 0 });
  return gexAt(p!, chain.spot);
}
const find = (chain: OptionChain, type: string, strike: number, date: string, root?: string) =>
  chain.contracts.find(
    (c) =>
      c.type === type &&
      c.strike === strike &&
      new Date(c.expiry).toISOString() === `${date}T08:00:00.000Z` &&
      (root === undefined || c.root === root),
  )!;

/**
 * The GEX of the same contract as a Deribit book-summary row, from the venue's raw values (coins, mark_iv in
 * percent, underlying_price the forward), over the GEX of the venue's contract `c` of `chain`: 1 when the venue's
 * units are the ones read.
 */
function twinRatio(
  name: string,
  raw: { coins: number; ivPercent: number; forward: number },
  chain: OptionChain,
  c: OptionContract,
): number {
  const row = {
    instrument_name: name,
    open_interest: raw.coins,
    mark_iv: raw.ivPercent,
    underlying_price: raw.forward,
    estimated_delivery_price: chain.spot,
    creation_timestamp: chain.asOf,
  };
  const twin = parseChainText(JSON.stringify({ result: [row] }), { origin: 'twin', now: chain.asOf });
  return gexOf(twin, twin.contracts[0]!) / gexOf(chain, c);
}

/** A copy of a JSON document with one edit made. */
function damagedCopy<T>(text: string, edit: (doc: T) => void): string {
  const copy = JSON.parse(text) as T;
  edit(copy);
  return JSON.stringify(copy);
}

const NOW = Date.parse('2026-01-01T00:00:00Z');
const read = (text: string, origin = 'venue.json') => parseChainText(text, { origin, now: NOW });

describe('Bybit: the recorded BTC chain of 2025-04-18 (samples/bybit_BTC_2025-04-18.json)', () => {
  const text = readFixture('bybit_BTC_2025-04-18.json');
  const raw = JSON.parse(text) as { time: number; result: { list: Record<string, string>[] } };
  const chain = read(text, 'bybit_BTC_2025-04-18.json');

  it('is BTC-BYBIT at the answer time, spot the median indexPrice, 848 contracts in two roots', () => {
    expect(chain.symbol).toBe('BTC-BYBIT');
    expect([chain.source, chain.venue]).toEqual(['bybit', 'bybit']);
    expect(new Date(chain.asOf).toISOString()).toBe('2025-04-18T13:50:51.261Z');
    expect(chain.spot).toBe(84540.90904133);
    expect(chain.contracts).toHaveLength(848);
    const roots = new Map<string, number>();
    for (const c of chain.contracts) roots.set(c.root, (roots.get(c.root) ?? 0) + 1);
    expect(Object.fromEntries(roots)).toEqual({ BTC: 138, 'BTC-USDT': 710 });
  });

  it('reads the first row as written: coins, decimal IV, its expiry forward, 08:00 UTC, multiplier 1', () => {
    // {"symbol": "BTC-27JUN25-120000-P", "bid1Price": "35125", "ask1Price": "35745", "markIv": "0.5346",
    //  "underlyingPrice": "85407.36", "openInterest": "1.04", "gamma": "0.00000817"}
    expect(raw.result.list[0]!['symbol']).toBe('BTC-27JUN25-120000-P');
    expect(chain.contracts[0]).toEqual({
      underlying: 'BTC',
      root: 'BTC',
      type: 'put',
      strike: 120000,
      expiry: Date.parse('2025-06-27T08:00:00Z'),
      openInterest: 1.04,
      iv: 0.5346,
      multiplier: 1,
      forward: 85407.36,
      bid: 35125,
      ask: 35745,
    });
  });

  it("gives Bybit's own gamma from markIv on underlyingPrice: the units are the ones read", () => {
    const c = chain.contracts[0]!;
    const g = gamma(c.forward, c.strike, c.iv, (c.expiry - chain.asOf) / YEAR_MS);
    // Bybit writes 8 decimals: 0.00000817 holds three digits. Percent IV or the index for the forward would miss.
    expect(Math.abs(g / 0.00000817 - 1)).toBeLessThan(0.005);
  });

  it('gives a contract the GEX of the same contract read by the Deribit reader (same forward, IV, coins)', () => {
    for (const symbol of ['BTC-27JUN25-120000-P', 'BTC-19APR25-85000-C-USDT']) {
      const at = raw.result.list.findIndex((r) => r['symbol'] === symbol);
      const r = raw.result.list[at]!;
      const c = chain.contracts[at]!;
      const ratio = twinRatio(
        symbol.replace('-USDT', ''),
        {
          coins: Number(r['openInterest']),
          ivPercent: Number(r['markIv']) * 100,
          forward: Number(r['underlyingPrice']),
        },
        chain,
        c,
      );
      const years = (c.expiry - chain.asOf) / YEAR_MS;
      const sign = c.type === 'call' ? 1 : -1;
      const closedForm =
        sign * gamma(c.forward, c.strike, c.iv, years) * c.openInterest * c.forward ** 2 * 0.01;
      expect(gexOf(chain, c)).toBeCloseTo(closedForm, 6);
      expect(ratio).toBeCloseTo(1, 12);
    }
  });

  it('checks the spot against the forwards it quotes, and refuses underlyingPrice scaled a hundredfold', () => {
    expect(analyse(chain).dataQuality.spotCheck).toMatchObject({ status: 'passed', expiry: '2025-04-19' });
    const scaled = text.replace(
      /"underlyingPrice": "([\d.]+)"/g,
      (_m, v: string) => `"underlyingPrice": "${Number(v) * 100}"`,
    );
    expect(() => analyse(read(scaled))).toThrow(
      /^BTC-BYBIT snapshot 2025-04-18T13:50:51.261Z: the spot 84540.90904133 is -99.0% from the forward .* the spot contradicts the chain$/,
    );
  });

  it.each([
    [
      '"openInterest": "1.04"',
      '"openInterest": "1,04"',
      /^venue\.json: not a valid Bybit option tickers: result\.list\[0\]\.openInterest is "1,04": not a plain unsigned number$/,
    ],
    [
      '"markIv": "0.5346"',
      '"markIv": "NaN"',
      /result\.list\[0\]\.markIv is "NaN": not a plain unsigned number$/,
    ],
    ['"markIv": "0.5346"', '"markIv": -0.5346', /result\.list\[0\]\.markIv is -0\.5346: /],
    [
      '"symbol": "BTC-27JUN25-120000-P"',
      '"symbol": "BTC-27XYZ25-120000-P"',
      /^venue\.json: result\.list\[0\]\.symbol: "BTC-27XYZ25-120000-P" is not a Bybit option$/,
    ],
    // A line break (found by the fuzz test): no name matches at all.
    [
      '"symbol": "BTC-27JUN25-120000-P"',
      '"symbol": "BTC-27JUN25-120000-P\\n"',
      /^venue\.json: result\.list\[0\]\.symbol: "BTC-27JUN25-120000-P\\n" is not a Bybit option$/,
    ],
    [
      '"symbol": "BTC-27JUN25-120000-P"',
      '"symbol": "ETH-27JUN25-120000-P"',
      /^venue\.json: the chain holds several underlyings \(BTC-BYBIT, ETH-BYBIT\)/,
    ],
    [
      '"symbol": "BTC-27JUN25-116000-P"',
      '"symbol": "BTC-27JUN25-120000-P"',
      /^venue\.json: the BTC put 120000 expiring 2025-06-27 appears twice \(result\.list\[0\] and result\.list\[1\]\)/,
    ],
    ['"retCode": 0', '"retCode": 10001', /^venue\.json: Bybit answered retCode 10001: SUCCESS$/],
    [
      '"time": 1744984251261',
      '"time": "1744984251261"',
      /^venue\.json: not a valid Bybit option tickers: time is "1744984251261": /,
    ],
  ])('refuses %s damaged to %s, naming the field and value', (from, to, message) => {
    expect(text).toContain(from);
    expect(() => read(text.replace(from, to))).toThrow(message);
  });
});

describe('Bybit: a real WebSocket ticker (tardis-node) read in the REST shape', () => {
  type Ticker = { ts: number; data: Record<string, string> };
  // ETH-30JUN23-200-P: openInterest 231.5 (coins), markPriceIv 1.5991, underlyingPrice 1886.16, indexPrice
  // 1871.27, gamma 0.00000128. The WebSocket names the REST markIv `markPriceIv`, bid1Price `bidPrice`.
  const t = venueMessages<Ticker>('tardis_bybit_options.json').messages.find(
    (m) => m.data['symbol'] === 'ETH-30JUN23-200-P',
  )!;
  const rest = {
    retCode: 0,
    retMsg: 'OK',
    result: {
      category: 'option',
      list: [
        {
          symbol: t.data['symbol'],
          bid1Price: t.data['bidPrice'],
          ask1Price: t.data['askPrice'],
          markIv: t.data['markPriceIv'],
          underlyingPrice: t.data['underlyingPrice'],
          indexPrice: t.data['indexPrice'],
          openInterest: t.data['openInterest'],
        },
      ],
    },
    time: t.ts,
  };

  it("reads coins, the decimal IV and the forward, and gives Bybit's gamma", () => {
    const chain = read(JSON.stringify(rest));
    expect(chain.symbol).toBe('ETH-BYBIT');
    expect(chain.spot).toBe(1871.27);
    const c = chain.contracts[0]!;
    expect([c.openInterest, c.iv, c.forward, c.bid, c.ask]).toEqual([231.5, 1.5991, 1886.16, 0.1, 0]);
    expect(gamma(c.forward, c.strike, c.iv, (c.expiry - chain.asOf) / YEAR_MS)).toBeCloseTo(0.00000128, 8);
  });
});

describe('OKX: real WebSocket messages (tardis-node) in the REST answers', () => {
  type Message = { arg: { channel: string; instId?: string }; data: Record<string, string>[] };
  const messages = venueMessages<Message>('tardis_okx_options_v5.json').messages;
  const rows = (channel: string) => messages.filter((m) => m.arg.channel === channel).flatMap((m) => m.data);
  const [index] = rows('index-tickers');
  // The 2021 WebSocket summaries carry no fwdPx (the REST answer does): the index of the same second stands in.
  const summary: Record<string, string>[] = rows('opt-summary').map((r) => ({
    ...r,
    fwdPx: index!['idxPx']!,
  }));
  const oi = rows('open-interest');
  const doc = {
    'opt-summary': { code: '0', msg: '', data: summary },
    'open-interest': { code: '0', msg: '', data: oi },
    'index-tickers': { code: '0', msg: '', data: [index] },
  };
  const text = JSON.stringify(doc);
  const chain = read(text);

  it('reads ETH-USD as ETH-OKX: spot the index, asOf the latest summary, open interest oi × 0.1 ETH', () => {
    expect(chain.symbol).toBe('ETH-OKX');
    expect(chain.spot).toBe(3814.05);
    expect(chain.asOf).toBe(1640588400390);
    // open-interest: {instId: ETH-USD-211231-9600-C, oi: "36", oiCcy: "3.6"}: 36 contracts are 3.6 ETH.
    expect(find(chain, 'call', 9600, '2021-12-31')).toMatchObject({
      openInterest: 36 * 0.1,
      iv: 1.8880399194,
    });
  });

  it("computes its own gamma from markVol: OKX's gammaBS, never OKX's gamma field (another unit)", () => {
    // ETH-USD-211222-4000-C at ts 1640001659301: markVol 0.7794507758, gammaBS 0.0013437829, gamma 4.7290833601.
    const c = find(chain, 'call', 4000, '2021-12-22');
    const g = gamma(c.forward, c.strike, c.iv, (c.expiry - 1640001659301) / YEAR_MS);
    expect(Math.abs(g / 0.0013437829 - 1)).toBeLessThan(0.01);
    expect(c).not.toHaveProperty('vendorGamma');
  });

  it('gives a contract the GEX of the same contract read by the Deribit reader', () => {
    const c = find(chain, 'call', 9600, '2021-12-31');
    const s = summary.find((r) => r['instId'] === 'ETH-USD-211231-9600-C')!;
    const ratio = twinRatio(
      'ETH-31DEC21-9600-C',
      { coins: 3.6, ivPercent: Number(s['markVol']) * 100, forward: Number(s['fwdPx']) },
      chain,
      c,
    );
    expect(ratio).toBeCloseTo(1, 12);
  });

  it.each<[string, (d: typeof doc) => void, RegExp]>([
    [
      'oiCcy that says another contract size',
      (d) => (d['open-interest'].data[0]!['oiCcy'] = '36'),
      /^venue\.json: open-interest\.data\[0\]: oi 36 contracts of 0\.1 ETH is 3\.6 ETH, but oiCcy says 36: the contract size is not the one this reader knows$/,
    ],
    [
      'a markVol that is text',
      (d) => (d['opt-summary'].data[0]!['markVol'] = 'abc'),
      /^venue\.json: not a valid OKX option summary: opt-summary\.data\[0\]\.markVol is "abc": not a plain unsigned number$/,
    ],
    [
      'a uly of another coin',
      (d) => (d['opt-summary'].data[0]!['uly'] = 'BTC-USD'),
      /^venue\.json: opt-summary\.data\[0\]\.uly "BTC-USD" does not match the instrument "ETH-USD-211222-4000-C"$/,
    ],
    [
      'an option of another family',
      (d) => (d['open-interest'].data[0]!['instId'] = 'BTC-USD-211231-9600-C'),
      /^venue\.json: open-interest\.data\[0\]\.instId "BTC-USD-211231-9600-C" is not of the index's family "ETH-USD"$/,
    ],
    [
      'an error answer',
      (d) => Object.assign(d['open-interest'], { code: '51001', msg: 'Instrument ID does not exist' }),
      /^venue\.json: OKX answered open-interest with error code 51001: Instrument ID does not exist$/,
    ],
    [
      'no index answer',
      (d) => Reflect.deleteProperty(d, 'index-tickers'),
      /^venue\.json: an OKX chain document without its "index-tickers" answer$/,
    ],
  ])('refuses %s, naming the part, field and value', (_what, edit, message) => {
    expect(() => read(damagedCopy(text, edit))).toThrow(message);
  });
});

describe('Binance: real WebSocket messages (tardis-node) in the REST answers', () => {
  type Message = { stream: string; data: Record<string, string> | Record<string, string>[] };
  const messages = venueMessages<Message>('tardis_binance_options.json').messages;
  // The 2023-10-01 00:00 UTC messages of BTC-240927-25000-P: the ticker's `vo` is the REST markIV (0.42824954),
  // `g` Binance's gamma (0.00003213); the index of the same instant 26963.13461538; the later open interest 7.0
  // contracts. The listing's terms are the symbol's, with the 08:00 UTC expiry of the New Symbol Info stream.
  const ticker = messages.find((m) => m.stream === 'BTC-240927-25000-P@ticker')!.data as Record<
    string,
    string
  >;
  const index = messages.find((m) => m.stream === 'BTCUSDT@index')!.data as Record<string, string>;
  const oi = (
    messages.filter((m) => m.stream === 'BTC@openInterest@240927').at(-1)!.data as Record<string, string>[]
  )[0]!;
  const doc = {
    exchangeInfo: {
      timezone: 'UTC',
      optionSymbols: [
        {
          symbol: ticker['s'],
          underlying: 'BTCUSDT',
          strikePrice: '25000',
          side: 'PUT',
          expiryDate: Date.parse('2024-09-27T08:00:00Z'),
          unit: 1,
          quoteAsset: 'USDT',
        },
      ],
    },
    mark: [{ symbol: ticker['s'], markPrice: ticker['mp'], markIV: ticker['vo'], gamma: ticker['g'] }],
    index: { time: Number(index['E']), indexPrice: index['p'] },
    openInterest: { '240927': [{ symbol: oi['s'], sumOpenInterest: oi['o'], sumOpenInterestUsd: oi['h'] }] },
  };
  const text = JSON.stringify(doc);
  const chain = read(text);

  it('reads BTC-BINANCE: spot the index at its time, open interest in contracts of 1 BTC, markIV a decimal, the index the forward', () => {
    expect(chain).toMatchObject({ symbol: 'BTC-BINANCE', source: 'binance', venue: 'binance' });
    expect([chain.spot, chain.asOf]).toEqual([26963.13461538, 1696118400040]);
    expect(chain.contracts).toEqual([
      {
        underlying: 'BTC',
        root: 'BTC',
        type: 'put',
        strike: 25000,
        expiry: Date.parse('2024-09-27T08:00:00Z'),
        openInterest: 7,
        iv: 0.42824954,
        multiplier: 1,
        forward: 26963.13461538,
        bid: NaN,
        ask: NaN,
      },
    ]);
  });

  it("gives Binance's own gamma from markIV on the index: the units are the ones read", () => {
    const c = chain.contracts[0]!;
    const g = gamma(c.forward, c.strike, c.iv, (c.expiry - chain.asOf) / YEAR_MS);
    // 0.00003213 holds four digits. Percent IV, or a forward carried at any real rate for a year, would miss.
    expect(Math.abs(g / Number(ticker['g']) - 1)).toBeLessThan(0.002);
  });

  it('gives a contract the GEX of the same contract read by the Deribit reader', () => {
    const c = chain.contracts[0]!;
    const ratio = twinRatio(
      'BTC-27SEP24-25000-P',
      { coins: Number(oi['o']), ivPercent: Number(ticker['vo']) * 100, forward: Number(index['p']) },
      chain,
      c,
    );
    expect(ratio).toBeCloseTo(1, 12);
  });

  it.each<[string, (d: typeof doc) => void, RegExp]>([
    [
      // The 2025 messages mark XRP-251219-2.05-P at 19.03 USDT on an index of 1.96: an XRP contract holds far more
      // than 1 XRP, so a unit other than 1 is refused rather than guessed.
      'contracts of another size',
      (d) => (d.exchangeInfo.optionSymbols[0]!.unit = 100),
      /^venue\.json: exchangeInfo\.optionSymbols\[0\]\.unit 100 coins a contract: only contracts of 1 coin are read, so open interest is never scaled by a guess \(BTC-240927-25000-P\)$/,
    ],
    [
      'an expiry at midnight',
      (d) => (d.exchangeInfo.optionSymbols[0]!.expiryDate = Date.parse('2024-09-27T00:00:00Z')),
      /^venue\.json: exchangeInfo\.optionSymbols\[0\]\.expiryDate 1727395200000 is not 2024-09-27T08:00Z, the expiry the symbol names \(BTC-240927-25000-P\)$/,
    ],
    [
      "a side that is not the symbol's",
      (d) => (d.exchangeInfo.optionSymbols[0]!.side = 'CALL'),
      /^venue\.json: exchangeInfo\.optionSymbols\[0\]\.side "CALL" is not the side of the symbol \(BTC-240927-25000-P\)$/,
    ],
    [
      'a markIV that is text',
      (d) => (d.mark[0]!.markIV = 'abc'),
      /^venue\.json: not a valid Binance option marks: mark\[0\]\.markIV is "abc": not a plain unsigned number$/,
    ],
    [
      'open interest with a thousands comma',
      (d) => (d.openInterest['240927'][0]!.sumOpenInterest = '1,0'),
      /^venue\.json: not a valid Binance open interest: openInterest\.240927\[0\]\.sumOpenInterest is "1,0": not a plain unsigned number$/,
    ],
    [
      'open interest filed under another expiry',
      (d) => Object.assign(d.openInterest, { '240928': d.openInterest['240927'], '240927': [] }),
      /^venue\.json: openInterest\.240928\[0\]\.symbol "BTC-240927-25000-P" does not expire on 240928, the expiry of its answer$/,
    ],
    [
      'an error answer',
      (d) => Object.assign(d.openInterest, { '240927': { code: -1121, msg: 'Invalid symbol.' } }),
      /^venue\.json: Binance answered openInterest\.240927 with error code -1121: Invalid symbol\.$/,
    ],
    [
      'no index answer',
      (d) => Reflect.deleteProperty(d, 'index'),
      /^venue\.json: a Binance chain document without its "index" answer$/,
    ],
  ])('refuses %s, naming the part, field and value', (_what, edit, message) => {
    expect(() => read(damagedCopy(text, edit))).toThrow(message);
  });
});

describe("Binance: a whole chain (the Deribit BTC book of 2026-03-13 in Binance's answers)", () => {
  const text = binanceDocument(1);
  const later = Date.parse('2026-03-14T00:00:00Z');
  const deribit = parseChainText(readFixture('deribit_BTC_2026-03-13.json'), {
    origin: 'deribit.json',
    now: later,
  });
  const readLater = (t: string) => parseChainText(t, { origin: 'venue.json', now: later });

  it("reads the BTC options alone, each with Deribit's coins (to 0.01 contract) and IV, on the index", () => {
    const chain = readLater(text);
    expect(chain).toMatchObject({ symbol: 'BTC-BINANCE', spot: 71048.7, asOf: deribit.asOf });
    expect(chain.contracts).toHaveLength(964);
    chain.contracts.forEach((c, i) => {
      const d = deribit.contracts[i]!;
      expect([c.type, c.strike, c.expiry]).toEqual([d.type, d.strike, d.expiry]);
      expect(Math.abs(c.openInterest - (d.openInterest || 0))).toBeLessThanOrEqual(0.005 + 1e-9);
      expect([c.iv, c.forward]).toEqual([d.iv, 71048.7]);
    });
    // The marks carry no bid or ask, and the forward is the index itself: §3's spot check has nothing to compare.
    expect(analyse(chain).dataQuality.spotCheck).toMatchObject({ status: 'skipped' });
  });

  it('refuses a document missing the open interest of a listed expiry, naming it', () => {
    const doc = JSON.parse(text) as { openInterest: Record<string, unknown> };
    Reflect.deleteProperty(doc.openInterest, '260320');
    expect(() => read(JSON.stringify(doc))).toThrow(
      /^venue\.json: openInterest holds no answer for expiry 260320, which exchangeInfo\.optionSymbols\[\d+\] lists \(BTC-260320-\d+-[CP]\): the chain would be read without it$/,
    );
  });
});
