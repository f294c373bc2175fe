/** Black-Scholes on the forward (Black-76 when r = q = 0): only what the gamma exposure needs (METHODOLOGY §4). */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Standard normal density. */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** d1 for a spot or forward price S, strike K, volatility sigma, years T, rate r and dividend yield q. */
export function d1(price: number, strike: number, sigma: number, years: number, r = 0, q = 0): number {
  const forward = price * Math.exp((r - q) * years);
  const volSqrtT = sigma * Math.sqrt(years);
  return (Math.log(forward / strike) + 0.5 * volSqrtT * volSqrtT) / volSqrtT;
}

/** Γ = e^{−qT} φ(d1) / (S σ √T): the change in delta per unit move of the price. */
export function gamma(price: number, strike: number, sigma: number, years: number, r = 0, q = 0): number {
  return (
    (Math.exp(-q * years) * normPdf(d1(price, strike, sigma, years, r, q))) /
    (price * sigma * Math.sqrt(years))
  );
}
