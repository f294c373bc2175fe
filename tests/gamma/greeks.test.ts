import { dollarGreeks, normCdf } from '../../lambda/gamma/black-scholes';
import { callDelta, normCdf as referenceCdf } from '../helpers';

/** The Greeks per unit of the underlying: the product keeps them in dollars (Δ·P, Γ·P², vanna·P, charm·P). */
function greeksAt(...args: Parameters<typeof dollarGreeks>) {
  const price = args[1];
  const g = dollarGreeks(...args);
  return {
    delta: g.delta / price,
    gamma: g.gamma / (price * price),
    vanna: g.vanna / price,
    charm: g.charm / price,
  };
}

/** Calendar years between two instants, as docs/methodology.md §2 counts them (365-day years). */
const years = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / (365 * 86400 * 1000);

describe('the Greeks of one option', () => {
  it('match docs/methodology.md §8 for BTC-15JAN21-28000-C: Δ 0.62396, Γ 7.32e-5, vanna −0.060054, charm +0.62894', () => {
    const t = years('2020-12-31T03:18:50.848Z', '2021-01-15T08:00:00Z');
    const g = greeksAt('call', 29153.69, 28000, 0.872, t);
    expect(g.delta).toBeCloseTo(0.62396, 5);
    expect(g.gamma).toBeCloseTo(7.32e-5, 7);
    expect(g.vanna).toBeCloseTo(-0.060054, 6);
    expect(g.charm).toBeCloseTo(0.62894, 5);
  });

  it('give a put the call delta less the discount factor, and the same gamma, vanna and charm', () => {
    const call = greeksAt('call', 599.14, 620, 0.3, 0.4, 0.05, 0.013);
    const put = greeksAt('put', 599.14, 620, 0.3, 0.4, 0.05, 0.013);
    expect(call.delta - put.delta).toBeCloseTo(Math.exp(-0.013 * 0.4), 14);
    expect(put.gamma).toBe(call.gamma);
    expect(put.vanna).toBe(call.vanna);
    expect(put.charm).toBe(call.charm);
  });

  it('has delta equal to an independent Black-Scholes delta, with rates and dividends', () => {
    for (const [s, k, sigma, t, r, q] of [
      [100, 100, 0.2, 30 / 365, 0, 0],
      [4505.1, 4450, 0.18, 7 / 365, 0.05, 0.015],
      [599.14, 650, 0.35, 0.5, 0.045, 0.013],
    ] as const) {
      expect(greeksAt('call', s, k, sigma, t, r, q).delta).toBeCloseTo(callDelta(s, k, sigma, t, r, q), 6);
    }
  });

  // Vanna and charm are derivatives of delta: checked against central differences of the product's own delta.
  const grid: [number, number, number][] = [];
  for (const moneyness of [0.7, 0.95, 1, 1.05, 1.4])
    for (const t of [1 / 365, 0.1, 1.5])
      for (const sigma of [0.08, 0.45, 1.6]) grid.push([moneyness, t, sigma]);

  it.each(grid)('vanna is ∂Δ/∂σ and charm is −∂Δ/∂T: K/F %d, T %d, σ %d', (moneyness, t, sigma) => {
    const f = 100;
    const k = f * moneyness;
    const delta = (s: number, tt: number) => greeksAt('call', f, k, s, tt).delta;
    const g = greeksAt('call', f, k, sigma, t);
    const hs = sigma * 1e-4;
    const ht = t * 1e-4;
    const vanna = (delta(sigma + hs, t) - delta(sigma - hs, t)) / (2 * hs);
    const charm = (delta(sigma, t - ht) - delta(sigma, t + ht)) / (2 * ht);
    // Relative where the derivative is sizeable; deep out of the money both vanish together.
    expect(Math.abs(g.vanna - vanna)).toBeLessThan(1e-6 * Math.max(1, Math.abs(vanna)));
    expect(Math.abs(g.charm - charm)).toBeLessThan(1e-5 * Math.max(1, Math.abs(charm)));
  });
});

describe('the normal distribution function', () => {
  it('agrees with an independent erf approximation and is exact at 0 and symmetric', () => {
    for (let x = -8; x <= 8; x += 0.37) {
      expect(Math.abs(normCdf(x) - referenceCdf(x))).toBeLessThan(2e-7);
      expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 14);
    }
    expect(normCdf(0)).toBe(0.5);
    // Reference values from scipy.stats.norm.cdf (python3 -c "from scipy.stats import norm; print(norm.cdf(1))").
    expect(normCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normCdf(-2.5)).toBeCloseTo(0.006209665325776132, 15);
    expect(normCdf(-9) / 1.1285884059538324e-19).toBeCloseTo(1, 7);
    // Far in the tail, where the deep puts and calls of a chain sit: relative accuracy still holds.
    expect(normCdf(-15) / 3.6709661993126986e-51).toBeCloseTo(1, 8);
    expect(normCdf(-25) / 3.056696706382561e-138).toBeCloseTo(1, 8);
    expect(normCdf(-36) / 4.182624065796808e-284).toBeCloseTo(1, 8);
  });
});
