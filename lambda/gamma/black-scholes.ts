/**
 * Black-Scholes gamma on the forward (Black-76 when r = q = 0), in the form the exposure needs (docs/methodology.md §4):
 * dollar gamma Γ·F² with Γ = e^{−qT} φ(d1) / (F σ √T), d1 = (ln(F·e^{(r−q)T}/K) + σ²T/2) / (σ√T).
 *
 * The profile evaluates every contract at 201 levels, so what does not move with the underlying is worked
 * out once per contract (`dollarGammaTerms`) and each evaluation costs one exp (`dollarGammaAt`).
 */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

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
    shift: Math.log(ratio) + (r - q) * years - Math.log(strike),
    invVol: 1 / vol,
    halfVol: vol / 2,
    scale: (weight * Math.exp(-q * years) * ratio * INV_SQRT_2PI) / vol,
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
  return scale * level * Math.exp(-0.5 * d1 * d1);
}
