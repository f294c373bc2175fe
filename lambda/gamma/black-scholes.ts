/**
 * Black-Scholes on the forward (Black-76 when r = q = 0), in the forms the exposures need (docs/methodology.md
 * §4, §9): with P the valuation price, d1 = (ln(P·e^{(r−q)T}/K) + σ²T/2) / (σ√T) and d2 = d1 − σ√T,
 * Δ = e^{−qT} N(d1) (call) or e^{−qT} (N(d1) − 1) (put), Γ = e^{−qT} φ(d1) / (P σ √T),
 * vanna ∂Δ/∂σ = −e^{−qT} φ(d1) d2 / σ and charm ∂Δ/∂t = e^{−qT} φ(d1) d2 / (2T), both the same for calls and puts.
 *
 * The profile evaluates every contract's gamma at 201 levels, so what does not move with the underlying is
 * worked out once per contract (`dollarGammaTerms`) and each evaluation costs one exp (`dollarGammaAt`).
 */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// Bound once: a global Math lookup inside a hot loop costs much more in a vm context (jest, Stryker).
const { exp, log } = Math;

/**
 * The standard normal distribution function: Hart's rational approximation (1968) in Graeme West's form
 * ("Better approximations to cumulative normal functions", 2005), error below 1e-14 where |x| < 7.
 */
export function normCdf(x: number): number {
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) {
    tail = 0;
  } else {
    const e = exp(-0.5 * a * a);
    if (a < 7.07106781186547) {
      let n = 3.52624965998911e-2 * a + 0.700383064443688;
      n = n * a + 6.37396220353165;
      n = n * a + 33.912866078383;
      n = n * a + 112.079291497871;
      n = n * a + 221.213596169931;
      n = n * a + 220.206867912376;
      let d = 8.83883476483184e-2 * a + 1.75566716318264;
      d = d * a + 16.064177579207;
      d = d * a + 86.7807322029461;
      d = d * a + 296.564248779674;
      d = d * a + 637.333633378831;
      d = d * a + 793.826512519948;
      d = d * a + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let d = a + 0.65;
      d = a + 4 / d;
      d = a + 3 / d;
      d = a + 2 / d;
      d = a + 1 / d;
      tail = e / d / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/**
 * The four sensitivities of one option in dollars, each times the valuation price P once per unit of the
 * underlying it measures: Δ·P (the dollar delta), Γ·P² (dollar gamma, per unit relative move), vanna·P and
 * charm·P. Kept in this form because the exposures need it, and because Γ·P² = φ(d1)·P / (σ√T) stays
 * finite where Γ alone would overflow at a tiny price.
 */
export interface DollarGreeks {
  delta: number;
  gamma: number;
  /** ∂(Δ·P)/∂σ, per unit of σ (1.00 = 100 volatility points). */
  vanna: number;
  /** ∂(Δ·P)/∂t as time passes, per year. */
  charm: number;
}

/**
 * One option's dollar Greeks with the underlying at `price`. The filters (docs/methodology.md §3) and the
 * 5-minute floor on T keep σ√T above 3e-5.
 */
export function dollarGreeks(
  type: 'call' | 'put',
  price: number,
  strike: number,
  sigma: number,
  years: number,
  r = 0,
  q = 0,
): DollarGreeks {
  const vol = sigma * Math.sqrt(years);
  const discount = exp(-q * years);
  // ln P − ln K rather than ln(P/K): the ratio overflows for a strike near the smallest double.
  const d1 = (log(price) - log(strike) + (r - q) * years) / vol + vol / 2;
  const d2 = d1 - vol;
  const density = discount * INV_SQRT_2PI * exp(-0.5 * d1 * d1);
  const n1 = normCdf(d1);
  return {
    delta: discount * (type === 'call' ? n1 : n1 - 1) * price,
    gamma: (density * price) / vol,
    vanna: (-density * d2 * price) / sigma,
    charm: (density * d2 * price) / (2 * years),
  };
}

/** A contract's fixed part: its valuation price is level × ratio, its exposure weight multiplies the result. */
export interface DollarGammaTerms {
  /** ln(ratio) + (r − q)T − ln K: with ln(level) it makes the numerator of d1. */
  shift: number;
  /** 1 / (σ√T). */
  invVol: number;
  /** σ√T / 2. */
  halfVol: number;
  /** weight × e^{−qT} × ratio × φ's 1/√(2π) / (σ√T). */
  scale: number;
}

const ZERO: DollarGammaTerms = { shift: 0, invVol: 0, halfVol: 0, scale: 0 };

export function dollarGammaTerms(
  strike: number,
  sigma: number,
  years: number,
  r = 0,
  q = 0,
  ratio = 1,
  weight = 1,
): DollarGammaTerms {
  const vol = sigma * Math.sqrt(years);
  // When σ√T underflows, gamma is a spike at the strike and 0 elsewhere: the contract contributes 0.
  if (!(vol > 0) || !Number.isFinite(1 / vol)) return ZERO;
  return {
    shift: log(ratio) + (r - q) * years - log(strike),
    invVol: 1 / vol,
    halfVol: vol / 2,
    scale: (weight * exp(-q * years) * ratio * INV_SQRT_2PI) / vol,
  };
}

/** weight × Γ·F² with the underlying at `level` (`lnLevel` = ln level, passed in so a caller computes it once). */
export function dollarGammaAt(t: DollarGammaTerms, level: number, lnLevel: number): number {
  return dollarGammaOf(t.shift, t.invVol, t.halfVol, t.scale, level, lnLevel);
}

/** The same from the terms' four numbers, for loops that keep them in typed arrays. */
export function dollarGammaOf(
  shift: number,
  invVol: number,
  halfVol: number,
  scale: number,
  level: number,
  lnLevel: number,
): number {
  const d1 = (lnLevel + shift) * invVol + halfVol;
  return scale * level * exp(-0.5 * d1 * d1);
}
