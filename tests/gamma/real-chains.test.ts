import { analyse } from '../../lambda/gamma/analyse';
import type { OptionChain } from '../../lambda/types';
import { bsGamma, calendarYears, chain, contract, loadFixture, twoSided } from '../helpers';
import { BTC, expectPinnedRecord, PINNED, SPX } from './pinned';

// Each file is read once here (the SPX one takes half a second under jest); each record is computed in the one
// test that checks it, so mutation testing's per-test coverage sees which test runs which code. The SPX
// record has its own file, spx-record.test.ts, left out of mutation runs for its cost.
const chains = new Map<string, OptionChain>();
const chainOf = (name: string) => chains.get(name) ?? chains.set(name, loadFixture(name)).get(name)!;

describe('the 2026-03-13 BTC chain', () => {
  it('gives the record of scripts/reference.py: counts, totals, flip, levels, dates', () => {
    expectPinnedRecord(analyse(chainOf(BTC)), PINNED[BTC]);
  });
});

describe('the 2023-09-14 SPX snapshot, taken at 16:31 New York', () => {
  it('counts that day’s SPXW series, which stopped at 16:00, as expired', () => {
    const spx = chainOf(SPX);
    const sameDay = spx.contracts.filter((c) => c.expiry === Date.UTC(2023, 8, 14, 20));
    expect(sameDay.length).toBe(PINNED[SPX].dataQuality.skipped.expired);
  });
});

describe('agreement with the Cboe vendor gamma', () => {
  // Cboe rounds gamma to 4 decimals and does not publish its model (rates, dividends, day count), so
  // this is a sanity check on liquid near-the-money contracts (strike within 2% of spot, open interest
  // ≥ 1000, 7 to 90 days): each within 15% plus half a rounding unit, and the median within 7%.
  it.each(['cboe_SPY_2025-06-06.json', 'cboe_SPX_2023-09-14.csv'])('%s', (name) => {
    const c = chainOf(name);
    const liquid = c.contracts.filter((k) => {
      const days = calendarYears(k.expiry, c.asOf) * 365;
      return (
        k.vendorGamma !== undefined &&
        k.vendorGamma >= 0.001 &&
        k.iv > 0 &&
        Math.abs(k.strike / c.spot - 1) <= 0.02 &&
        k.openInterest >= 1000 &&
        days >= 7 &&
        days <= 90
      );
    });
    expect(liquid.length).toBeGreaterThanOrEqual(20);
    const errors = liquid.map((k) => {
      // The engine's gamma of this one contract, backed out of its exposure: GEX / (±OI × 100 × S² × 1%).
      const one = analyse(
        chain(twoSided([contract({ ...k, forward: c.spot })]), { asOf: c.asOf, spot: c.spot }),
      );
      const ours =
        one.totals.netGex / ((k.type === 'call' ? 1 : -1) * k.openInterest * 100 * c.spot ** 2 * 0.01);
      expect(ours / bsGamma(c.spot, k.strike, k.iv, calendarYears(k.expiry, c.asOf))).toBeCloseTo(1, 9);
      const vendor = k.vendorGamma!;
      expect(Math.abs(ours - vendor)).toBeLessThanOrEqual(0.15 * vendor + 0.00005);
      return Math.abs(ours - vendor) / vendor;
    });
    errors.sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.07);
  });
});
