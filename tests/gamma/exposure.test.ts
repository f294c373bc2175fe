import { analyse, DEFAULT_ANALYSIS } from '../../lambda/gamma/analyse';
import { AS_OF, calendarYears, chain, closedFormGex, contract, DAY_MS, twoSided } from '../helpers';

const MINUTE = 60 * 1000;
const carry = { ...DEFAULT_ANALYSIS, riskFreeRate: 0.05, dividendYield: 0.02 };

describe('rates and dividends', () => {
  // Six months out and away from the money, where r and q move gamma by several percent.
  const call = contract({ strike: 110, expiry: AS_OF + 182 * DAY_MS, iv: 0.25 });
  const t = 182 / 365;

  it('carry a Cboe spot at r − q and discount by q, as docs/methodology.md §4 writes', () => {
    const record = analyse(chain(twoSided([call])), carry);
    const expected = closedFormGex(call, 100, t, { r: 0.05, q: 0.02 });
    expect(record.totals.netGex / expected).toBeCloseTo(1, 9);
    // The swapped pair is a different number: the check above tells r from q.
    expect(Math.abs(closedFormGex(call, 100, t, { r: 0.02, q: 0.05 }) / expected - 1)).toBeGreaterThan(0.01);
    expect(record.assumptions).toMatchObject({ riskFreeRate: 0.05, dividendYield: 0.02 });
  });

  it('do not apply to Deribit, whose forwards already carry them, and the record says 0 for both', () => {
    const btc = contract({ multiplier: 1, forward: 70500, strike: 72000, openInterest: 40, iv: 0.55 });
    const record = analyse(
      chain(twoSided([btc]), { source: 'deribit', venue: 'deribit', spot: 70000 }),
      carry,
    );
    expect(record.totals.netGex / closedFormGex(btc, 70500, 30 / 365)).toBeCloseTo(1, 9);
    expect(record.assumptions).toMatchObject({ riskFreeRate: 0, dividendYield: 0 });
  });
});

describe('time to expiry in the exposure', () => {
  it('is floored at five minutes: an at-the-money call one minute from expiry weighs as if five remained', () => {
    const c = contract({ expiry: AS_OF + MINUTE, strike: 100 });
    const record = analyse(chain(twoSided([c])));
    expect(record.totals.netGex / closedFormGex(c, 100, (5 * MINUTE) / (365 * DAY_MS))).toBeCloseTo(1, 9);
    // Without the floor the one-minute gamma would be about √5 times larger.
    expect(closedFormGex(c, 100, MINUTE / (365 * DAY_MS)) / record.totals.netGex).toBeGreaterThan(2);
  });

  it('is calendar time to the instant, not floored, for a contract half an hour out', () => {
    const c = contract({ expiry: AS_OF + 30 * MINUTE, strike: 100.5 });
    expect(
      analyse(chain(twoSided([c]))).totals.netGex / closedFormGex(c, 100, (30 * MINUTE) / (365 * DAY_MS)),
    ).toBeCloseTo(1, 9);
  });

  it('counts contracts until their expiry instant: 1 ms, 1 minute, 30 minutes and 59 minutes before it', () => {
    const lastHour = [1, MINUTE, 30 * MINUTE, 59 * MINUTE].map((dt) => contract({ expiry: AS_OF + dt }));
    const record = analyse(chain(twoSided([...lastHour, contract({ expiry: AS_OF })])));
    // The four, and the inert put that makes the chain two-sided.
    expect(record.dataQuality.contractsUsed).toBe(5);
    expect(record.dataQuality.skipped.expired).toBe(1);
    const expected = lastHour.reduce(
      (sum, c) => sum + closedFormGex(c, 100, calendarYears(c.expiry, AS_OF)),
      0,
    );
    expect(record.totals.netGex / expected).toBeCloseTo(1, 9);
  });

  it('keeps an SPX AM contract seen at 09:00 New York on its expiry morning, dated that day', () => {
    const expiry = Date.UTC(2024, 0, 19, 14, 30); // 2024-01-19 09:30 EST, the third-Friday open
    const asOf = Date.UTC(2024, 0, 19, 14); // 09:00 EST
    const c = contract({ root: 'SPX', expiry });
    const record = analyse(chain(twoSided([c]), { asOf }));
    expect(record.dataQuality.contractsUsed).toBe(2);
    expect(record.byExpiry.map((r) => r.expiry)).toEqual(['2024-01-19']);
    expect(record.totals.netGex / closedFormGex(c, 100, (30 * MINUTE) / (365 * DAY_MS))).toBeCloseTo(1, 9);
  });
});
