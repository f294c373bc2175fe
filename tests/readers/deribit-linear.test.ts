import { analyse } from '../../lambda/gamma/analyse';
import { parseChainText } from '../../lambda/readers/detect';
import type { ParseOptions } from '../../lambda/readers/common';
import { readFixture, venueMessages } from '../helpers';
import { deribitUsdcAnswer, USDC_COINS } from '../live/venue-answers';

/**
 * Deribit's USDC-linear options (docs/methodology.md §17): `SOL_USDC-13MAR26-142-C` is an option on SOL quoted and
 * settled in USDC. Deribit's API reference gives `open_interest` "for options and linear futures" in the
 * underlying base currency coin, whatever the contract size; `mark_iv` in percent; `underlying_price` the
 * forward the mark is computed on; expiry 08:00 UTC; a decimal strike written with `d`. The real message pins
 * the IV, forward and expiry by Deribit's own gamma; the whole book (the real BTC book at SOL's and XRP's price
 * scales) pins the open interest in coins by the GEX it must give.
 */

const NOW = Date.parse('2026-12-01T00:00:00Z');
const read = (text: string, opts: Partial<ParseOptions> = {}) =>
  parseChainText(text, { origin: 'usdc.json', now: NOW, ...opts });
const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

const YEAR_MS = 365 * 86400 * 1000;
const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
const cdf = (x: number) => {
  // Abramowitz–Stegun 26.2.17, |error| < 7.5e-8: enough for Deribit's 4-decimal delta.
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly =
    t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = phi(x) * poly;
  return x >= 0 ? 1 - tail : tail;
};
/** Black-76 d1 and gamma per unit of the underlying, written out from §4. */
function black(F: number, K: number, iv: number, years: number) {
  const s = iv * Math.sqrt(years);
  const d1 = (Math.log(F / K) + (s * s) / 2) / s;
  return { d1, gamma: phi(d1) / (F * s) };
}

describe("Deribit USDC-linear: a real ticker (tardis-node) in the book summary's fields", () => {
  type Ticker = { params: { data: Record<string, unknown> & { greeks: Record<string, number> } } };
  const t = venueMessages<Ticker>('tardis_deribit_linear_option.json').messages[0]!.params.data;
  // MATIC_USDC-9MAR24-1d02-C at 2024-03-07T10:57:00Z: mark_iv 209.64, underlying_price 1.1367, gamma 1.70098.
  const row = {
    instrument_name: t['instrument_name'],
    open_interest: 250,
    mark_iv: t['mark_iv'],
    underlying_price: t['underlying_price'],
    estimated_delivery_price: t['estimated_delivery_price'],
    underlying_index: t['underlying_index'],
    creation_timestamp: t['timestamp'],
    bid_price: null,
    ask_price: null,
  };
  const chain = read(JSON.stringify({ result: [row] }), { now: Date.parse('2024-03-08T00:00:00Z') });

  it('is the MATIC_USDC book: strike 1.02 from 1d02, 08:00 UTC, mark_iv / 100, the forward, coins', () => {
    expect(chain).toMatchObject({ symbol: 'MATIC_USDC', venue: 'deribit', spot: 1.1367 });
    const c = chain.contracts[0]!;
    expect(c).toMatchObject({
      underlying: 'MATIC_USDC',
      root: 'MATIC_USDC',
      type: 'call',
      strike: 1.02,
      iv: 2.0964,
      forward: 1.1367,
      openInterest: 250,
      multiplier: 1,
    });
    expect(new Date(c.expiry).toISOString()).toBe('2024-03-09T08:00:00.000Z');
  });

  it("gives Deribit's own gamma and delta: the IV, forward and expiry are the ones Deribit values on", () => {
    const c = chain.contracts[0]!;
    const { d1, gamma } = black(c.forward, c.strike, c.iv, (c.expiry - chain.asOf) / YEAR_MS);
    // Deribit writes 5 decimals of gamma, 4 of delta. Percent IV, or expiry at midnight, would miss by far.
    expect(Math.abs(gamma / t.greeks['gamma']! - 1)).toBeLessThan(5e-4);
    expect(cdf(d1)).toBeCloseTo(t.greeks['delta']!, 4);
  });
});

describe('Deribit USDC-linear: the USDC book (the real BTC book of 2026-03-13 at SOL and XRP price scales)', () => {
  const text = deribitUsdcAnswer();
  const btc = read(readFixture('deribit_BTC_2026-03-13.json'));

  it('reads one coin of the book by its name, leaving the other coins out', () => {
    for (const coin of ['SOL', 'XRP'] as const) {
      const chain = read(text, { symbol: `${coin}_USDC` });
      expect(chain.symbol).toBe(`${coin}_USDC`);
      expect(chain.contracts).toHaveLength(btc.contracts.length);
      expect(new Set(chain.contracts.map((c) => c.underlying))).toEqual(new Set([`${coin}_USDC`]));
      expect(chain.spot).toBeCloseTo(btc.spot * USDC_COINS[coin], 9);
    }
    // A live answer is read for the book asked for the same way.
    expect(read(text, { asked: 'XRP_USDC' }).symbol).toBe('XRP_USDC');
  });

  it("gives each coin the BTC book's GEX in USD, and its levels at the coin's price: open interest in coins", () => {
    const reference = analyse(btc);
    for (const coin of ['SOL', 'XRP'] as const) {
      const k = USDC_COINS[coin];
      const record = analyse(read(text, { symbol: `${coin}_USDC` }));
      // Contracts of 10 SOL, or mark_iv read as a decimal, would change the GEX; a forward in the wrong unit, the flip.
      for (const key of ['netGex', 'callGex', 'putGex', 'netDex', 'netVex', 'netCex'] as const)
        expect(record.totals[key] / reference.totals[key] - 1).toBeCloseTo(0, 9);
      expect(record.flip.level! / (reference.flip.level! * k) - 1).toBeCloseTo(0, 6);
      expect(record.flip.distancePct).toBeCloseTo(reference.flip.distancePct!, 4);
      for (const key of ['callWall', 'putWall', 'absGammaStrike', 'maxPain'] as const)
        expect(record.levels[key]! / (reference.levels[key]! * k) - 1).toBeCloseTo(0, 9);
    }
  });

  it('refuses to read several books as one: the file needs --symbol naming one, and renaming is not choosing', () => {
    expect(message(() => read(text))).toBe(
      'usdc.json: the chain holds several underlyings (SOL_USDC, XRP_USDC); pass --symbol to name one',
    );
    expect(message(() => read(text, { symbol: 'SOL' }))).toBe(
      'usdc.json: the answer holds several linear books (SOL_USDC, XRP_USDC); --symbol must name one of them to read it',
    );
  });

  it('refuses an answer without the book asked for, naming what it holds', () => {
    expect(message(() => read(text, { asked: 'HYPE_USDC' }))).toBe(
      'usdc.json: the answer holds no HYPE_USDC options (it holds SOL_USDC, XRP_USDC)',
    );
    // The BTC book where SOL_USDC was asked for: its rows are no USDC coin's, so they count and are refused by name.
    expect(message(() => read(readFixture('deribit_BTC_2026-03-13.json'), { asked: 'SOL_USDC' }))).toBe(
      'usdc.json: the answer is a chain of BTC, not of SOL_USDC as asked: refused, so that it is never published as SOL_USDC',
    );
  });

  it('refuses a row whose currencies or index are not its instrument’s', () => {
    const damaged = (edit: (row: Record<string, unknown>) => void) => {
      const doc = JSON.parse(text) as { result: Record<string, unknown>[] };
      edit(doc.result[5]!);
      return JSON.stringify(doc);
    };
    expect(
      message(() =>
        read(
          damaged((r) => (r['base_currency'] = 'XRP')),
          { symbol: 'SOL_USDC' },
        ),
      ),
    ).toMatch(/^usdc\.json: result\[5\]: base_currency "XRP" does not match the instrument "SOL_USDC-/);
    expect(
      message(() =>
        read(
          damaged((r) => (r['quote_currency'] = 'SOL')),
          { symbol: 'SOL_USDC' },
        ),
      ),
    ).toMatch(
      /^usdc\.json: result\[5\]: quote_currency "SOL" does not match the instrument "SOL_USDC-.*" \(quoted in USDC\)$/,
    );
    expect(
      message(() =>
        read(
          damaged((r) => (r['underlying_index'] = 'SYN.XRP_USDC-13MAR26')),
          { symbol: 'SOL_USDC' },
        ),
      ),
    ).toMatch(/^usdc\.json: result\[5\]: underlying_index "SYN\.XRP_USDC-13MAR26" does not match/);
  });
});
