import { dollarGammaAt, dollarGammaTerms } from '../../lambda/gamma/black-scholes';
import { yearsToExpiry } from '../../lambda/gamma/exposure';
import { bsGamma, callDelta } from '../helpers';

/** The product's dollar gamma Γ·S² of one unit at price S (ratio 1, weight 1). */
const dollarGamma = (s: number, k: number, sigma: number, t: number, r = 0, q = 0) =>
  dollarGammaAt(dollarGammaTerms(k, sigma, t, r, q), s, Math.log(s));

/** Γ itself: the product works with Γ·S², so divide it back out. */
const gamma = (s: number, k: number, sigma: number, t: number, r = 0, q = 0) =>
  dollarGamma(s, k, sigma, t, r, q) / (s * s);

describe('Black-Scholes dollar gamma', () => {
  it('matches docs/methodology.md §8: BTC-15JAN21-28000-C at 2020-12-31T03:18:50.848Z gives Δ 0.62396, Γ 7.32e-5', () => {
    const asOf = 1609384730848;
    expect(new Date(asOf).toISOString()).toBe('2020-12-31T03:18:50.848Z');
    // §8's table: T = 15.1952 days = 0.0416308 years of calendar time.
    const t = yearsToExpiry(Date.UTC(2021, 0, 15, 8), asOf);
    expect(t).toBeCloseTo(0.0416308, 7);
    const forward = 29153.69;
    const sigma = 0.872;
    expect(callDelta(forward, 28000, sigma, t)).toBeCloseTo(0.62396, 5);
    expect(gamma(forward, 28000, sigma, t)).toBeCloseTo(7.32e-5, 7);
  });

  it.each([
    [100, 100, 0.2, 30 / 365, 0, 0],
    [4505.1, 4450, 0.18, 7 / 365, 0, 0],
    [599.14, 650, 0.35, 0.5, 0.05, 0.013],
    [71048.7, 90000, 0.6, 0.25, 0, 0],
    [50, 40, 1.5, 2, 0.03, 0.02],
  ])('is the derivative of delta: S=%d K=%d σ=%d T=%d r=%d q=%d', (s, k, sigma, t, r, q) => {
    const h = s * 1e-3;
    const numeric = (callDelta(s + h, k, sigma, t, r, q) - callDelta(s - h, k, sigma, t, r, q)) / (2 * h);
    expect(gamma(s, k, sigma, t, r, q) / numeric).toBeCloseTo(1, 3);
    // And the closed form of docs/methodology.md §4 to rounding, so r and q enter exactly as written there.
    expect(gamma(s, k, sigma, t, r, q) / bsGamma(s, k, sigma, t, r, q)).toBeCloseTo(1, 12);
  });

  it('peaks near the money and decays away from it', () => {
    const atm = gamma(100, 100, 0.2, 0.1);
    expect(gamma(100, 80, 0.2, 0.1)).toBeLessThan(atm / 10);
    expect(gamma(100, 120, 0.2, 0.1)).toBeLessThan(atm / 10);
  });

  it('stays finite where volatility underflows, with the limit 0 away from the strike', () => {
    expect(dollarGamma(100, 90, 5e-324, 0.1)).toBe(0);
    // σ√T = 5e-324 is still above 0, but its reciprocal overflows: 0 too, not ∞ × 0 = NaN.
    expect(dollarGamma(100, 90, 5e-324, 1)).toBe(0);
    expect(dollarGamma(100, 100, 5e-324, 1)).toBe(0);
    expect(Number.isFinite(dollarGamma(5e-324, 5e-324, 0.2, 0.1))).toBe(true);
    const v = 0.2 * Math.sqrt(0.1);
    const phi = Math.exp(-0.5 * (v / 2) ** 2) / Math.sqrt(2 * Math.PI);
    expect(dollarGamma(1e-300, 1e-300, 0.2, 0.1) / ((phi * 1e-300) / v)).toBeCloseTo(1, 12);
  });

  it('gives 0, never a negative or NaN exposure, for a volatility that is not positive', () => {
    for (const sigma of [0, -0, -0.2, NaN]) expect(dollarGamma(100, 95, sigma, 0.1)).toBe(0);
  });

  it('folds the valuation ratio and the exposure weight into its terms', () => {
    // A Deribit contract valued on forward 70,500 with the index at 70,000: price = level × ratio.
    const ratio = 70500 / 70000;
    const terms = dollarGammaTerms(72000, 0.55, 0.1, 0, 0, ratio, -40);
    expect(
      dollarGammaAt(terms, 70000, Math.log(70000)) / (-40 * dollarGamma(70500, 72000, 0.55, 0.1)),
    ).toBeCloseTo(1, 12);
  });

  it('floors time to expiry at five minutes', () => {
    const asOf = Date.UTC(2024, 0, 2, 20);
    const fiveMinutes = (5 * 60) / (365 * 86400);
    expect(yearsToExpiry(asOf + 60 * 1000, asOf)).toBe(fiveMinutes);
    expect(yearsToExpiry(asOf + 86400 * 1000, asOf)).toBeCloseTo(1 / 365, 12);
  });
});
