import { analyse, DEFAULT_ANALYSIS } from '../../lambda/gamma/analyse';
import { InputError } from '../../lambda/errors';
import {
  AS_OF,
  bsGamma as gamma,
  calendarYears,
  chain,
  closedFormGex,
  contract,
  DAY_MS,
  twoSided,
} from '../helpers';

const T30 = 30 / 365;

describe('exposure of a hand-built chain', () => {
  it('is Γ × OI × 100 × S² × 1% for a call, positive under classic', () => {
    const record = analyse(
      chain(twoSided([contract({ type: 'call', strike: 105, openInterest: 2500, iv: 0.25 })])),
    );
    const expected = gamma(100, 105, 0.25, T30) * 2500 * 100 * 100 * 100 * 0.01;
    expect(record.totals.callGex).toBeCloseTo(expected, 6);
    expect(record.totals.netGex).toBeCloseTo(expected, 6);
    expect(record.totals.putGex).toBe(0);
    expect(record.regime).toBe('positive');
  });

  it('counts puts negative under classic and both negative under dealer-short', () => {
    const contracts = [contract({ type: 'call' }), contract({ type: 'put', strike: 95 })];
    const call = gamma(100, 100, 0.2, T30) * 1000 * 100 * 100 * 100 * 0.01;
    const put = gamma(100, 95, 0.2, T30) * 1000 * 100 * 100 * 100 * 0.01;
    const classic = analyse(chain(contracts));
    expect(classic.totals.callGex).toBeCloseTo(call, 6);
    expect(classic.totals.putGex).toBeCloseTo(-put, 6);
    const short = analyse(chain(contracts), { ...DEFAULT_ANALYSIS, positioning: 'dealer-short' });
    expect(short.totals.callGex).toBeCloseTo(-call, 6);
    expect(short.totals.putGex).toBeCloseTo(-put, 6);
    expect(short.regime).toBe('negative');
    expect(short.assumptions.positioning).toBe('dealer-short');
  });

  it('values Deribit contracts on their own forward with multiplier 1', () => {
    const c = contract({ multiplier: 1, forward: 70500, strike: 72000, openInterest: 40, iv: 0.55 });
    const record = analyse(chain(twoSided([c]), { source: 'deribit', venue: 'deribit', spot: 70000 }));
    expect(record.totals.netGex).toBeCloseTo(gamma(70500, 72000, 0.55, T30) * 40 * 70500 * 70500 * 0.01, 6);
  });

  it('sums by strike across roots and expiries, and by expiry date in the market zone', () => {
    const contracts = [
      contract({ root: 'SPX', strike: 100, expiry: Date.UTC(2024, 0, 19, 14, 30) }),
      contract({ root: 'SPXW', strike: 100, expiry: Date.UTC(2024, 0, 19, 21) }),
      contract({ root: 'SPXW', strike: 100, type: 'put', expiry: Date.UTC(2024, 1, 2, 21) }),
      contract({ root: 'SPXW', strike: 110, expiry: Date.UTC(2024, 1, 2, 21), openInterest: 7 }),
    ];
    const record = analyse(chain(contracts));
    // Listed latest first, the rows still come out by strike and by date.
    for (const { byStrike, byExpiry } of [record, analyse(chain([...contracts].reverse()))]) {
      expect(byStrike.map((r) => [r.strike, r.callOi, r.putOi])).toEqual([
        [100, 2000, 1000],
        [110, 7, 0],
      ]);
      expect(byExpiry.map((r) => [r.expiry, r.callOi, r.putOi])).toEqual([
        ['2024-01-19', 2000, 0],
        ['2024-02-02', 7, 1000],
      ]);
    }
    const sum = (k: 'netGex' | 'callGex' | 'putGex') => record.byStrike.reduce((a, r) => a + r[k], 0);
    expect(sum('netGex')).toBeCloseTo(record.totals.netGex, 6);
    expect(sum('callGex')).toBeCloseTo(record.totals.callGex, 6);
    expect(record.byExpiry.reduce((a, r) => a + r.netGex, 0)).toBeCloseTo(record.totals.netGex, 6);
  });
});

describe('the record', () => {
  it('names the chain, its units and the assumptions it used, the methodology’s defaults unless told', () => {
    const record = analyse(chain(twoSided([contract()]), { symbol: 'SPX', source: 'cboe-csv', spot: 100 }));
    expect(record).toMatchObject({
      symbol: 'SPX',
      source: 'cboe-csv',
      asOf: '2024-01-02T15:00:00.000Z',
      spot: 100,
      currency: 'USD',
      unit: 'USD per 1% move',
    });
    // docs/methodology.md §15.
    expect(record.assumptions).toEqual({
      positioning: 'classic',
      riskFreeRate: 0,
      dividendYield: 0,
      minTimeToExpiryMinutes: 5,
      profileRangePct: 20,
      profilePoints: 201,
    });
  });

  it('calls the regime negative unless net exposure is above zero', () => {
    expect(analyse(chain(twoSided([contract({ type: 'call' })]))).regime).toBe('positive');
    expect(analyse(chain(twoSided([contract({ type: 'put' })]))).regime).toBe('negative');
    // Ten points out of the money a minute before expiry, gamma underflows to exactly 0.
    const zero = analyse(chain(twoSided([contract({ strike: 110, expiry: AS_OF + 60 * 1000 })])));
    expect(zero.totals.netGex).toBe(0);
    expect(zero.regime).toBe('negative');
  });
});

describe('which contracts count', () => {
  it('drops and counts each reason, first that applies, and reports contracts in and used', () => {
    const contracts = [
      contract(),
      contract({ expiry: AS_OF }), // expired: expiry ≤ asOf
      contract({ expiry: AS_OF - DAY_MS, openInterest: 0 }), // expired comes first
      contract({ openInterest: 0 }),
      contract({ openInterest: NaN }),
      contract({ iv: 0 }),
      contract({ iv: NaN }),
      contract({ iv: Infinity }),
      contract({ iv: 5.01 }),
      contract({ iv: 5 }), // exactly 500% is still in range
      contract({ iv: 0.001 }), // Cboe's placeholder for a contract it cannot price
      contract({ iv: 0.01 }), // exactly 1% is still in range
      contract({ strike: 0 }),
      contract({ forward: NaN }),
      contract({ forward: 0 }),
      // The contracts that count hold most of the open interest, as in a real chain (§3 coverage).
      contract({ openInterest: 50000 }),
    ];
    const record = analyse(chain(twoSided(contracts)));
    // The sixteen, and the inert put that makes the chain two-sided (§3); no bid or ask: no spot check.
    expect(record.dataQuality).toEqual({
      contractsIn: 17,
      contractsUsed: 5,
      skipped: { expired: 2, no_open_interest: 2, no_iv: 3, iv_out_of_range: 2, bad_price: 3 },
      spotCheck: {
        status: 'skipped',
        expiry: null,
        forward: null,
        gapPct: null,
        reason: 'no expiry within 60 days has 3 strikes quoting a bid and an ask on both sides',
      },
    });
  });
});

describe('sanity before any maths', () => {
  it('refuses a chain where nothing counts, giving the counts by reason', () => {
    const allIvZero = chain([contract({ iv: 0 }), contract({ type: 'put', iv: 0 })]);
    expect(() => analyse(allIvZero)).toThrow(InputError);
    expect(() => analyse(allIvZero)).toThrow(
      'TEST snapshot 2024-01-02T15:00:00.000Z: no contract counts (all 2 skipped: no_iv 2)',
    );
    const mixed = chain([contract({ expiry: AS_OF }), contract({ iv: 0 }), contract({ iv: NaN })]);
    expect(() => analyse(mixed)).toThrow('no contract counts (all 3 skipped: expired 1, no_iv 2)');
  });

  it('refuses a chain where the contracts that count hold under half of a side’s open interest', () => {
    // Calls: 1,000 usable against 1,001 without an IV: 49.98% of call open interest counts.
    const calls = [contract({ openInterest: 1000 }), contract({ strike: 105, openInterest: 1001, iv: NaN })];
    const puts = [contract({ type: 'put', openInterest: 10 })];
    expect(() => analyse(chain([...calls, ...puts]))).toThrow(
      'TEST snapshot 2024-01-02T15:00:00.000Z: only 49% of call open interest has a usable implied volatility and price (at least 50% is needed)',
    );
    // Exactly half counts: accepted.
    calls[1]!.openInterest = 1000;
    expect(analyse(chain([...calls, ...puts])).dataQuality.contractsUsed).toBe(2);
    // Puts are judged on their own: a usable call side does not carry an unusable put side.
    const badPuts = [
      contract({ type: 'put', openInterest: 10 }),
      contract({ type: 'put', strike: 90, openInterest: 30, iv: 0 }),
    ];
    expect(() => analyse(chain([contract(), ...badPuts]))).toThrow('only 25% of put open interest');
  });

  it('judges coverage on unexpired contracts with open interest only', () => {
    // The expired and the open-interest-free contracts would sink coverage if they were counted.
    const record = analyse(
      chain(
        twoSided([
          contract({ openInterest: 10 }),
          contract({ strike: 105, expiry: AS_OF - DAY_MS, openInterest: 1e6, iv: NaN }),
          contract({ strike: 110, openInterest: 0, iv: NaN }),
        ]),
      ),
    );
    expect(record.dataQuality.contractsUsed).toBe(2);
  });
});

describe('the profile', () => {
  it('leaves the next expiry, and the next monthly (third Friday), out of their curves', () => {
    const weekly = contract({ expiry: Date.UTC(2024, 0, 5, 21) }); // Friday 2024-01-05 16:00 New York
    const monthly = contract({ expiry: Date.UTC(2024, 0, 19, 21), strike: 104 }); // the third Friday
    const { profile } = analyse(chain(twoSided([weekly, monthly])));
    expect(profile.nextExpiry).toBe('2024-01-05');
    expect(profile.nextMonthly).toBe('2024-01-19');
    const curve = (...cs: (typeof weekly)[]) =>
      profile.levels.map((level) =>
        cs.reduce((sum, c) => sum + closedFormGex(c, level, calendarYears(c.expiry, AS_OF)), 0),
      );
    // To 1e-9 of the curve's peak: far from the strikes the ex-curves are differences of nearly equal sums.
    const expectCurve = (actual: number[], expected: number[]) => {
      const peak = Math.max(...expected.map(Math.abs));
      expect(Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!))) / peak).toBeLessThan(1e-9);
    };
    expectCurve(profile.all, curve(weekly, monthly));
    expectCurve(profile.exNextExpiry, curve(monthly));
    expectCurve(profile.exNextMonthly, curve(weekly));
  });

  it('spans spot ±20% in 201 levels for Cboe and ±30% for crypto', () => {
    const cboe = analyse(chain(twoSided([contract()]))).profile.levels;
    expect(cboe).toHaveLength(201);
    expect(cboe[0]).toBeCloseTo(80, 9);
    expect(cboe[100]).toBeCloseTo(100, 9);
    expect(cboe[200]).toBeCloseTo(120, 9);
    const btc = analyse(
      chain(twoSided([contract({ multiplier: 1 })]), { source: 'deribit', venue: 'deribit' }),
    );
    expect(btc.profile.levels[0]).toBeCloseTo(70, 9);
    expect(btc.profile.levels[200]).toBeCloseTo(130, 9);
    expect(btc.assumptions.profileRangePct).toBe(30);
  });
});

describe('the sessions, the listing and the grid window', () => {
  it('dates Cboe quotes by the last trade’s session and open interest by the session before (NYSE calendar)', () => {
    // AS_OF is Tuesday 2 January 2024, 10:00 New York; 1 January was a holiday, 30–31 December a weekend.
    expect(analyse(chain(twoSided([contract()]))).session).toEqual({
      quotes: '2024-01-02',
      openInterest: '2023-12-29',
    });
    const friday = analyse(chain(twoSided([contract()]), { quoteTime: Date.UTC(2023, 11, 29, 20, 59) }));
    expect(friday.session).toEqual({ quotes: '2023-12-29', openInterest: '2023-12-28' });
    const deribit = analyse(chain(twoSided([contract()]), { venue: 'deribit', source: 'deribit' }));
    expect(deribit.session).toEqual({ quotes: '2024-01-02', openInterest: '2024-01-02' });
  });

  it('lists the dates and strikes of unexpired contracts with a positive strike only', () => {
    const record = analyse(
      chain([
        contract(),
        contract({ type: 'put', strike: 100 }),
        contract({ strike: 97, expiry: AS_OF }),
        contract({ strike: 93, expiry: AS_OF - DAY_MS }),
        contract({ strike: 0, openInterest: 1, expiry: AS_OF + 40 * DAY_MS }),
        contract({ strike: -5, openInterest: 1, expiry: AS_OF + 50 * DAY_MS }),
      ]),
    );
    expect(record.grid.expiries).toEqual(['2024-02-01']);
    expect(record.grid.strikes).toEqual([100]);
  });

  it('keeps strikes within ±window of spot, bounds included, and the first 12 dates', () => {
    const dates = Array.from({ length: 13 }, (_, i) => AS_OF + (i + 1) * 7 * DAY_MS);
    const strikes = [74, 75, 100, 125, 126];
    const contracts = dates.flatMap((expiry) => strikes.map((strike) => contract({ strike, expiry })));
    const record = analyse(chain(twoSided(contracts)), { ...DEFAULT_ANALYSIS, strikeWindowPct: 25 });
    expect(record.grid.strikes).toEqual([75, 100, 125]);
    expect(record.grid.expiries).toHaveLength(12);
    expect(record.grid.expiries[11]).toBe('2024-03-26');
  });
});
