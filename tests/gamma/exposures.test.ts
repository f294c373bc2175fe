import { analyse, DEFAULT_ANALYSIS } from '../../lambda/gamma/analyse';
import type { OptionContract } from '../../lambda/types';
import {
  AS_OF,
  calendarYears,
  callDelta,
  chain,
  closedFormGex,
  contract,
  DAY_MS,
  HOUR_MS,
  loadFixture,
  twoSided,
} from '../helpers';

/** 30 calendar days, the hand-built contracts' time to expiry. */
const T = 30 / 365;
/** Open interest × multiplier × F: what turns a delta into the dealers' dollar delta here (1000 × 100 × 100). */
const NOTIONAL = 1e7;

/** ∂Δ/∂σ and −∂Δ/∂T of the independent delta in tests/helpers.ts, by central differences. */
const vannaOf = (s: number, k: number, sigma: number, t: number) =>
  (callDelta(s, k, sigma + 1e-5, t) - callDelta(s, k, sigma - 1e-5, t)) / 2e-5;
const charmOf = (s: number, k: number, sigma: number, t: number) =>
  (callDelta(s, k, sigma, t - 1e-6) - callDelta(s, k, sigma, t + 1e-6)) / 2e-6;

describe('delta, vanna and charm exposures (docs/methodology.md §9)', () => {
  it('value one call as sign × Greek × open interest × multiplier × F, with VEX per vol point and CEX per day', () => {
    const { totals } = analyse(chain(twoSided([contract({ strike: 105 })])));
    expect(totals.netDex / (NOTIONAL * callDelta(100, 105, 0.2, T))).toBeCloseTo(1, 6);
    expect(totals.netVex / (NOTIONAL * 0.01 * vannaOf(100, 105, 0.2, T))).toBeCloseTo(1, 5);
    expect(totals.netCex / ((NOTIONAL / 365) * charmOf(100, 105, 0.2, T))).toBeCloseTo(1, 4);
  });

  it('net a call against a put at the same strike: DEX is the whole notional, VEX, CEX and GEX cancel', () => {
    // Dealers long the call (Δc) and short the put (−(Δc − 1)): Δc − Δc + 1 = 1 whatever Δc is.
    const { totals, byStrike, byExpiry } = analyse(chain([contract(), contract({ type: 'put' })]));
    expect(totals.netDex).toBeCloseTo(NOTIONAL, 2);
    expect(totals.netVex).toBeCloseTo(0, 6);
    expect(totals.netCex).toBeCloseTo(0, 6);
    expect(totals.netGex).toBeCloseTo(0, 6);
    expect(totals.tilt).toBeCloseTo(0, 12);
    expect(byStrike).toHaveLength(1);
    expect(byStrike[0]!.netDex).toBe(totals.netDex);
    expect(byExpiry[0]!.netVex).toBe(totals.netVex);
  });

  it('sum by strike and by expiry date to the totals', () => {
    const contracts: OptionContract[] = [
      contract({ strike: 95 }),
      contract({ strike: 95, type: 'put', openInterest: 300 }),
      contract({ strike: 105, expiry: AS_OF + 60 * DAY_MS, iv: 0.25 }),
      contract({ strike: 110, type: 'put', expiry: AS_OF + 7 * DAY_MS, iv: 0.3, openInterest: 2000 }),
    ];
    const r = analyse(chain(contracts));
    for (const key of ['netGex', 'netDex', 'netVex', 'netCex'] as const) {
      const byStrike = r.byStrike.reduce((a, row) => a + row[key], 0);
      const byExpiry = r.byExpiry.reduce((a, row) => a + row[key], 0);
      expect(byStrike / r.totals[key]).toBeCloseTo(1, 12);
      expect(byExpiry / r.totals[key]).toBeCloseTo(1, 12);
    }
  });

  it('scale linearly with open interest', () => {
    const base = [contract({ strike: 97 }), contract({ strike: 103, type: 'put', openInterest: 400 })];
    const once = analyse(chain(base)).totals;
    const thrice = analyse(chain(base.map((c) => ({ ...c, openInterest: c.openInterest * 3 })))).totals;
    for (const key of ['netGex', 'netDex', 'netVex', 'netCex'] as const) {
      expect(thrice[key] / once[key]).toBeCloseTo(3, 12);
    }
  });

  it('flip sign with the positioning: dealers short the calls instead of long', () => {
    const calls = twoSided([contract({ strike: 97 }), contract({ strike: 108, iv: 0.35 })]);
    const classic = analyse(chain(calls)).totals;
    const short = analyse(chain(calls), { ...DEFAULT_ANALYSIS, positioning: 'dealer-short' }).totals;
    for (const key of ['netGex', 'netDex', 'netVex', 'netCex'] as const) {
      expect(short[key]).toBeCloseTo(-classic[key], 6);
      expect(classic[key]).not.toBe(0);
    }
  });

  it('keep the puts’ sign under dealer-short, where dealers are short every option, as under classic', () => {
    // One put: the dealers hold −1 × it in both models, so their dollar delta is −(Δc − 1) × OI × mult × F > 0.
    const puts = twoSided([contract({ strike: 103, type: 'put' })]);
    const short = analyse(chain(puts), { ...DEFAULT_ANALYSIS, positioning: 'dealer-short' }).totals;
    expect(short.netDex / (NOTIONAL * (1 - callDelta(100, 103, 0.2, T)))).toBeCloseTo(1, 6);
    expect(short.netVex / (-NOTIONAL * 0.01 * vannaOf(100, 103, 0.2, T))).toBeCloseTo(1, 5);
    expect(short.netCex / ((-NOTIONAL / 365) * charmOf(100, 103, 0.2, T))).toBeCloseTo(1, 4);
    expect(short.netGex).toBeLessThan(0);
    const classic = analyse(chain(puts)).totals;
    for (const key of ['netGex', 'netDex', 'netVex', 'netCex'] as const)
      expect(short[key]).toBe(classic[key]);
  });

  it('computes the tilt as net over gross gamma', () => {
    const r = analyse(chain([contract(), contract({ type: 'put', openInterest: 3000 })]));
    // Same strike and volatility: the put side is three times the call side, so net/gross = (1 − 3)/(1 + 3).
    expect(r.totals.tilt).toBeCloseTo(-0.5, 12);
  });
});

describe('the strike × expiry grid (docs/methodology.md §12)', () => {
  it('holds net GEX by date and strike, nearest date first, 0 where nothing is listed, whatever the input order', () => {
    const far = AS_OF + 60 * DAY_MS;
    const near = AS_OF + 7 * DAY_MS;
    // Far date first, two contracts in one cell, a strike outside the ±10% window.
    const contracts: OptionContract[] = [
      contract({ strike: 100, expiry: far }),
      contract({ strike: 100, expiry: far, type: 'put', openInterest: 3000, iv: 0.22 }),
      contract({ strike: 105, expiry: near, iv: 0.25 }),
      contract({ strike: 95, expiry: near, type: 'put', openInterest: 2000, iv: 0.3 }),
      contract({ strike: 95, expiry: near, openInterest: 700, iv: 0.3 }),
      contract({ strike: 120, expiry: far, iv: 0.4 }),
    ];
    const { grid, byExpiry } = analyse(chain(contracts));
    const gex = (c: OptionContract) => closedFormGex(c, 100, calendarYears(c.expiry, AS_OF));
    const [f100c, f100p, n105, n95p, n95c] = contracts as [OptionContract, ...OptionContract[]];
    expect(grid.expiries).toEqual(['2024-01-09', '2024-03-02']);
    expect(byExpiry.map((row) => row.expiry)).toEqual(grid.expiries);
    expect(grid.strikes).toEqual([95, 100, 105]);
    const expected = [
      [gex(n95p!) + gex(n95c!), 0, gex(n105!)],
      [0, gex(f100c) + gex(f100p!), 0],
    ];
    grid.netGex.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 3)));
    // Not the same numbers by accident: every non-empty cell is a different size.
    expect(new Set(expected.flat().map((v) => Math.round(v))).size).toBe(4);
  });
});

describe('zero days to expiry (docs/methodology.md §9)', () => {
  it('gathers what expires on the snapshot’s own date: SPXW on 2023-06-09 at 13:40 New York', () => {
    const spx = loadFixture('cboe_SPX_2023-06-09_intraday.csv');
    const r = analyse(spx);
    const today = r.byExpiry.find((e) => e.expiry === '2023-06-09')!;
    expect(r.zeroDte).toEqual({
      netGex: today.netGex,
      callGex: today.callGex,
      putGex: today.putGex,
      share: (today.callGex - today.putGex) / (r.totals.callGex - r.totals.putGex),
    });
    // The AM-settled SPX series of that date stopped at 09:30; only the PM-settled SPXW ones remain.
    const sameDay = spx.contracts.filter((c) => c.expiry > spx.asOf && c.expiry < spx.asOf + DAY_MS / 2);
    expect(new Set(sameDay.map((c) => c.root))).toEqual(new Set(['SPXW']));
    expect(r.zeroDte.share).toBeGreaterThan(0.05);
    expect(r.zeroDte.share).toBeLessThan(0.2);
  });

  it('is all zero when nothing expires on the snapshot’s date (SPX after the 2023-09-14 close)', () => {
    expect(analyse(loadFixture('cboe_SPX_2023-09-14.csv')).zeroDte).toEqual({
      netGex: 0,
      callGex: 0,
      putGex: 0,
      share: 0,
    });
  });
});

describe('the expected move (docs/methodology.md §10)', () => {
  const sqrtT = Math.sqrt(T);

  it('interpolates the at-the-money IV in strike when the forward sits between listed strikes', () => {
    const r = analyse(
      chain(
        [
          contract({ strike: 95, iv: 0.3 }),
          contract({ strike: 95, type: 'put', iv: 0.32 }),
          contract({ strike: 105, iv: 0.2 }),
          contract({ strike: 105, type: 'put', iv: 0.2 }),
        ].map((c) => ({ ...c, forward: 101 })),
        { spot: 101 },
      ),
    );
    // Strike IVs: 95 → (0.30 + 0.32) / 2 = 0.31, 105 → 0.20; at 101: 0.31 + (0.20 − 0.31) × 6/10 = 0.244.
    const atmIv = 0.244;
    const move = 101 * atmIv * sqrtT;
    expect(r.expectedMove.nextExpiry!.expiry).toBe('2024-02-01');
    expect(r.expectedMove.nextExpiry!.atmIv).toBeCloseTo(atmIv, 12);
    expect(r.expectedMove.nextExpiry!.move).toBeCloseTo(move, 10);
    expect(r.expectedMove.nextExpiry!.lower).toBeCloseTo(101 - move, 10);
    expect(r.expectedMove.nextExpiry!.upper).toBeCloseTo(101 + move, 10);
  });

  it('takes a listed strike’s own IV when the forward is on it, and Deribit’s mean forward of the date', () => {
    const deribit = analyse(
      chain(
        [
          contract({ strike: 100, iv: 0.5, forward: 99 }),
          contract({ strike: 100, type: 'put', iv: 0.7, forward: 101 }),
          contract({ strike: 90, iv: 0.9, forward: 100 }),
        ],
        { venue: 'deribit', source: 'deribit' },
      ),
    );
    // The mean forward is 100, a listed strike: its IV is the mean of 0.5 and 0.7.
    expect(deribit.expectedMove.nextExpiry!.atmIv).toBeCloseTo(0.6, 12);
    expect(deribit.expectedMove.nextExpiry!.move).toBeCloseTo(100 * 0.6 * sqrtT, 10);
  });

  it('reads only the date’s own strikes, in strike order, to √T of its latest expiry instant', () => {
    const date = AS_OF + 30 * DAY_MS;
    const r = analyse(
      chain(
        twoSided([
          // The date's strikes out of order, one of them also listed two hours later the same day (a PM root).
          contract({ strike: 110, iv: 0.18 }),
          contract({ strike: 90, iv: 0.4 }),
          contract({ strike: 104, iv: 0.22, expiry: date + 2 * HOUR_MS }),
          contract({ strike: 96, iv: 0.3 }),
          // A later date whose strikes would bracket the forward more closely, at another IV.
          contract({ strike: 100, iv: 0.9, expiry: date + 7 * DAY_MS }),
          contract({ strike: 102, iv: 0.9, expiry: date + 7 * DAY_MS }),
        ]).map((c) => ({ ...c, forward: 101 })),
        { spot: 101 },
      ),
    );
    // Between 96 (0.30) and 104 (0.22) at 101: 0.30 + (0.22 − 0.30) × 5/8 = 0.25, to 30 days and 2 hours.
    const move = 101 * 0.25 * Math.sqrt((30 * DAY_MS + 2 * HOUR_MS) / (365 * DAY_MS));
    expect(r.expectedMove.nextExpiry!.atmIv).toBeCloseTo(0.25, 12);
    expect(r.expectedMove.nextExpiry!.move).toBeCloseTo(move, 10);
  });

  it('is null when a side of the forward has no listed strike, and uses the next monthly date for the other', () => {
    const r = analyse(
      chain([
        contract({ strike: 110 }),
        contract({ strike: 120, type: 'put' }),
        // 2024-01-19 is the third Friday of January 2024.
        contract({ strike: 95, expiry: Date.parse('2024-01-19T21:00:00Z'), iv: 0.25 }),
        contract({ strike: 105, expiry: Date.parse('2024-01-19T21:00:00Z'), iv: 0.15 }),
      ]),
    );
    expect(r.profile.nextExpiry).toBe('2024-01-19');
    expect(r.expectedMove.nextMonthly!.expiry).toBe('2024-01-19');
    expect(r.expectedMove.nextMonthly!.atmIv).toBeCloseTo(0.2, 12);
    expect(r.expectedMove.nextExpiry).toEqual(r.expectedMove.nextMonthly);
    const above = analyse(chain([contract({ strike: 110 }), contract({ strike: 120, type: 'put' })]));
    expect(above.expectedMove).toEqual({ nextExpiry: null, nextMonthly: null });
  });
});
