/** Black-Scholes on the forward (Black-76 when r = q = 0): only what the gamma exposure needs (METHODOLOGY §4). */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Standard normal density. */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Dollar gamma Γ·S², with Γ = e^{−qT} φ(d1) / (S σ √T) and d1 = (ln(F/K) + σ²T/2) / (σ√T), F = S·e^{(r−q)T}.
 * Written as e^{−qT} φ(d1) S / (σ√T) so no S² over S is formed: finite for any positive inputs. When σ√T
 * underflows to 0, gamma is a spike at the strike and 0 elsewhere: 0 is returned.
 */
export function dollarGamma(
  price: number,
  strike: number,
  sigma: number,
  years: number,
  r = 0,
  q = 0,
): number {
  const volSqrtT = sigma * Math.sqrt(years);
  if (volSqrtT === 0) return 0;
  const forward = price * Math.exp((r - q) * years);
  const d1 = (Math.log(forward / strike) + 0.5 * volSqrtT * volSqrtT) / volSqrtT;
  return (Math.exp(-q * years) * normPdf(d1) * price) / volSqrtT;
}
