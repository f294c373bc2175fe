import { analyse, DEFAULT_ANALYSIS } from '../../lambda/gamma/analyse';
import { aggregate, prepare, screen, yearsToExpiry } from '../../lambda/gamma/exposure';
import { maxPain, walls } from '../../lambda/gamma/levels';
import { bisect } from '../../lambda/gamma/profile';
import { InputError } from '../../lambda/errors';
import { AS_OF, chain, contract, DAY_MS, dollarGamma, loadFixture } from '../helpers';

const T30 = (30 * DAY_MS) / (365 * 86400 * 1000);
const gamma = (s: number, k: number, sigma: number, t: number) => dollarGamma(s, k, sigma, t) / (s * s);

describe('exposure of a hand-built chain', () => {
  it('is Γ × OI × 100 × S² × 1% for a call, positive under classic', () => {
    const record = analyse(chain([contract({ type: 'call', strike: 105, openInterest: 2500, iv: 0.25 })]));
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
    const record = analyse(chain([c], { source: 'deribit', venue: 'deribit', spot: 70000 }));
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
    expect(record.byStrike.map((r) => [r.strike, r.callOi, r.putOi])).toEqual([
      [100, 2000, 1000],
      [110, 7, 0],
    ]);
    expect(record.byExpiry.map((r) => [r.expiry, r.callOi, r.putOi])).toEqual([
      ['2024-01-19', 2000, 0],
      ['2024-02-02', 7, 1000],
    ]);
    const sum = (k: 'netGex' | 'callGex' | 'putGex') => record.byStrike.reduce((a, r) => a + r[k], 0);
    expect(sum('netGex')).toBeCloseTo(record.totals.netGex, 6);
    expect(sum('callGex')).toBeCloseTo(record.totals.callGex, 6);
    expect(record.byExpiry.reduce((a, r) => a + r.netGex, 0)).toBeCloseTo(record.totals.netGex, 6);
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
      // The contracts that count hold most of the open interest, as in a real chain (§3 coverage).
      contract({ openInterest: 50000 }),
    ];
    const record = analyse(chain(contracts));
    expect(record.dataQuality).toEqual({
      contractsIn: 15,
      contractsUsed: 4,
      skipped: { expired: 2, no_open_interest: 2, no_iv: 3, iv_out_of_range: 2, bad_price: 2 },
    });
  });

  it('drops expired contracts from a real chain: the 2023-05-19 SPX expiries seen on 2023-05-20', () => {
    const spx = loadFixture('cboe_SPX_2023-05-19.csv');
    const expiredRows = spx.contracts.filter((c) => c.expiry <= spx.asOf);
    expect(expiredRows.length).toBeGreaterThan(0);
    const record = analyse(spx);
    expect(record.dataQuality.skipped.expired).toBe(expiredRows.length);
    expect(record.byExpiry.some((r) => r.expiry === '2023-05-19')).toBe(false);
    expect(record.profile.nextExpiry).toBe('2023-05-22');
  });
});

describe('sanity before any maths', () => {
  it('refuses a chain where nothing counts, giving the counts by reason', () => {
    const allIvZero = chain([contract({ iv: 0 }), contract({ type: 'put', iv: 0 })]);
    expect(() => analyse(allIvZero)).toThrow(InputError);
    expect(() => analyse(allIvZero)).toThrow(
      'TEST snapshot 2024-01-02T15:00:00.000Z: no contract counts (all 2 skipped: no_iv 2)',
    );
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
      chain([
        contract({ openInterest: 10 }),
        contract({ strike: 105, expiry: AS_OF - DAY_MS, openInterest: 1e6, iv: NaN }),
        contract({ strike: 110, openInterest: 0, iv: NaN }),
      ]),
    );
    expect(record.dataQuality.contractsUsed).toBe(1);
  });
});

describe('the gamma flip', () => {
  it('finds the closed-form root of a call at 110 against a put at 90', () => {
    // Dollar gamma Γ·L² = φ(d1)·L/(σ√T); equal calls and puts cross where d1(L,110) = −d1(L,90),
    // that is L = √(110·90)·e^{−σ²T/2}.
    const sigma = 0.3;
    const record = analyse(
      chain([
        contract({ type: 'call', strike: 110, iv: sigma }),
        contract({ type: 'put', strike: 90, iv: sigma }),
      ]),
    );
    const root = Math.sqrt(110 * 90) * Math.exp((-sigma * sigma * T30) / 2);
    expect(record.flip.status).toBe('found');
    expect(record.flip.crossings).toHaveLength(1);
    expect(Math.abs(record.flip.level! - root)).toBeLessThanOrEqual(1e-6 * 100);
    expect(record.flip.distancePct).toBeCloseTo(((100 - record.flip.level!) / 100) * 100, 12);
  });

  it('stops bisecting when no double lies between the ends, even under a zero tolerance', () => {
    const root = bisect((x) => x - 5e-324, 0, 1e-323, 0);
    expect(root).toBeGreaterThanOrEqual(0);
    expect(root).toBeLessThanOrEqual(1e-323);
  });

  it('reports none in range, never an invented level, when the profile has no root', () => {
    const record = analyse(chain([contract({ strike: 95 }), contract({ strike: 105 })]));
    expect(record.flip).toEqual({ level: null, crossings: [], status: 'none-in-range', distancePct: null });
  });

  it('reports every crossing and picks the one nearest spot', () => {
    // Puts far below and far above spot, calls at the money: negative, positive, negative again.
    const record = analyse(
      chain([
        contract({ type: 'put', strike: 85, openInterest: 3000 }),
        contract({ type: 'call', strike: 101, openInterest: 1000 }),
        contract({ type: 'put', strike: 115, openInterest: 3000 }),
      ]),
    );
    expect(record.flip.crossings.length).toBe(2);
    const [low, high] = record.flip.crossings as [number, number];
    expect(low).toBeLessThan(100);
    expect(high).toBeGreaterThan(100);
    expect(record.flip.level).toBe(Math.abs(low - 100) < Math.abs(high - 100) ? low : high);
  });

  it('excludes the next expiry and the next monthly (third Friday) from their profile curves', () => {
    const weekly = Date.UTC(2024, 0, 5, 21); // Friday 2024-01-05 16:00 New York
    const monthly = Date.UTC(2024, 0, 19, 21); // third Friday
    const record = analyse(chain([contract({ expiry: weekly }), contract({ expiry: monthly, strike: 104 })]));
    expect(record.profile.nextExpiry).toBe('2024-01-05');
    expect(record.profile.nextMonthly).toBe('2024-01-19');
    const onlyMonthly = analyse(chain([contract({ expiry: monthly, strike: 104 })]));
    const onlyWeekly = analyse(chain([contract({ expiry: weekly })]));
    onlyMonthly.profile.all.forEach((v, i) => expect(record.profile.exNextExpiry[i]).toBeCloseTo(v, 6));
    onlyWeekly.profile.all.forEach((v, i) => expect(record.profile.exNextMonthly[i]).toBeCloseTo(v, 6));
  });

  it('spans spot ±20% in 201 levels for Cboe and ±30% for crypto', () => {
    const cboe = analyse(chain([contract()])).profile.levels;
    expect(cboe).toHaveLength(201);
    expect(cboe[0]).toBeCloseTo(80, 9);
    expect(cboe[100]).toBeCloseTo(100, 9);
    expect(cboe[200]).toBeCloseTo(120, 9);
    const btc = analyse(chain([contract({ multiplier: 1 })], { source: 'deribit', venue: 'deribit' }));
    expect(btc.profile.levels[0]).toBeCloseTo(70, 9);
    expect(btc.profile.levels[200]).toBeCloseTo(130, 9);
    expect(btc.assumptions.profileRangePct).toBe(30);
  });
});

describe('levels', () => {
  const spx = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));

  it('puts the call wall at or above spot and the put wall at or below it, on a real chain', () => {
    const { callWall, putWall, absGammaStrike } = spx.levels;
    expect(callWall!).toBeGreaterThanOrEqual(spx.spot);
    expect(putWall!).toBeLessThanOrEqual(spx.spot);
    const above = spx.byStrike.filter((r) => r.strike >= spx.spot);
    expect(Math.max(...above.map((r) => r.callGex))).toBe(
      spx.byStrike.find((r) => r.strike === callWall)!.callGex,
    );
    const total = (r: (typeof spx.byStrike)[number]) => r.callGex - r.putGex;
    expect(Math.max(...spx.byStrike.map(total))).toBe(
      total(spx.byStrike.find((r) => r.strike === absGammaStrike)!),
    );
  });

  it('breaks ties toward the lower strike and looks only on its side of spot', () => {
    const row = (strike: number, callGex: number, putGex: number) => ({
      strike,
      callGex,
      putGex,
      netGex: callGex + putGex,
      callOi: 1,
      putOi: 1,
      netDex: 0,
      netVex: 0,
      netCex: 0,
    });
    const rows = [row(90, 0, -5), row(95, 9, -5), row(105, 7, -9), row(110, 7, 0)];
    expect(walls(rows, 100)).toEqual({ callWall: 105, putWall: 90, absGammaStrike: 105 });
    expect(walls([], 100)).toEqual({ callWall: null, putWall: null, absGammaStrike: null });
  });

  it('computes max pain as the strike where option holders are paid least', () => {
    // Calls: 100 OI at 100; puts: 300 OI at 110. Pay-out at X=100: 300·10 = 3000; at X=110: 100·10 = 1000.
    const contracts = [
      contract({ type: 'call', strike: 100, openInterest: 100 }),
      contract({ type: 'put', strike: 110, openInterest: 300 }),
    ];
    expect(maxPain(contracts)).toBe(110);
    // Equal pay-outs at both strikes: the lower one.
    expect(maxPain([contracts[0]!, { ...contracts[1]!, openInterest: 100 }])).toBe(100);
    expect(maxPain([])).toBeNull();
  });

  it('takes max pain from the nearest expiry date only', () => {
    const near = AS_OF + 3 * DAY_MS;
    const record = analyse(
      chain([
        contract({ type: 'call', strike: 100, openInterest: 100, expiry: near }),
        contract({ type: 'put', strike: 110, openInterest: 300, expiry: near }),
        contract({ type: 'call', strike: 95, openInterest: 1e6 }),
      ]),
    );
    expect(record.levels.maxPain).toBe(110);
  });
});

describe('agreement with the Cboe vendor gamma', () => {
  // Cboe rounds gamma to 4 decimals and does not publish its model (rates, dividends, day count), so
  // this is a sanity check on liquid near-the-money contracts (strike within 2% of spot, open interest
  // ≥ 1000, 7 to 90 days): each within 15% plus half a rounding unit, and the median within 7%.
  it.each([
    'cboe_SPY_2025-06-06.json',
    'cboe_QQQ_2025-06-06.json',
    'cboe_IWM_2025-06-06.json',
    'cboe_SPX_2023-09-14.csv',
  ])('%s', (name) => {
    const c = loadFixture(name);
    const prepared = prepare(c, screen(c).used, 'classic', { riskFreeRate: 0, dividendYield: 0 });
    const liquid = prepared.filter(
      (p) =>
        p.contract.vendorGamma !== undefined &&
        p.contract.vendorGamma >= 0.001 &&
        Math.abs(p.contract.strike / c.spot - 1) <= 0.02 &&
        p.contract.openInterest >= 1000 &&
        yearsToExpiry(p.contract.expiry, c.asOf) * 365 >= 7 &&
        yearsToExpiry(p.contract.expiry, c.asOf) * 365 <= 90,
    );
    expect(liquid.length).toBeGreaterThanOrEqual(20);
    const errors = liquid.map((p) => {
      const ours = gamma(c.spot, p.contract.strike, p.contract.iv, yearsToExpiry(p.contract.expiry, c.asOf));
      const vendor = p.contract.vendorGamma!;
      expect(Math.abs(ours - vendor)).toBeLessThanOrEqual(0.15 * vendor + 0.00005);
      return Math.abs(ours - vendor) / vendor;
    });
    errors.sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.07);
  });
});

describe('the aggregates helper', () => {
  it('sorts strikes ascending and expiry dates chronologically', () => {
    const c = loadFixture('deribit_BTC_2026-03-13.json');
    const { byStrike, byExpiry } = aggregate(prepare(c, screen(c).used, 'classic', DEFAULT_ANALYSIS));
    expect(byStrike.map((r) => r.strike)).toEqual([...byStrike.map((r) => r.strike)].sort((a, b) => a - b));
    expect(byExpiry.map((r) => r.expiry)).toEqual([...byExpiry.map((r) => r.expiry)].sort());
  });
});
