import type { OptionContract, StrikeRow } from '../types';

/** The row maximising `score` among those kept by `keep`; ties go to the lower strike (rows are sorted). */
function strikeWithLargest(
  rows: readonly StrikeRow[],
  keep: (row: StrikeRow) => boolean,
  score: (row: StrikeRow) => number,
): number | null {
  let best: StrikeRow | null = null;
  for (const row of rows) {
    if (!keep(row)) continue;
    if (best === null || score(row) > score(best)) best = row;
  }
  return best === null ? null : best.strike;
}

/**
 * Call wall, put wall and absolute gamma strike (docs/methodology.md §6). Magnitudes are compared so the walls
 * stay the largest concentrations under either positioning model (identical to §6 under `classic`).
 */
export function walls(byStrike: readonly StrikeRow[], spot: number) {
  return {
    callWall: strikeWithLargest(
      byStrike,
      (r) => r.strike >= spot && r.callGex !== 0,
      (r) => Math.abs(r.callGex),
    ),
    putWall: strikeWithLargest(
      byStrike,
      (r) => r.strike <= spot && r.putGex !== 0,
      (r) => Math.abs(r.putGex),
    ),
    absGammaStrike: strikeWithLargest(
      byStrike,
      (r) => r.callGex !== 0 || r.putGex !== 0,
      (r) => Math.abs(r.callGex) + Math.abs(r.putGex),
    ),
  };
}

/**
 * Max pain of a set of contracts (the nearest expiry's): the listed strike X minimising what option
 * holders are paid at expiry, Σ_calls OI·max(X − K, 0) + Σ_puts OI·max(K − X, 0). The candidates are the
 * `listed` strikes (by default the contracts' own). Ties go to the lower strike.
 */
export function maxPain(
  contracts: readonly OptionContract[],
  listed: readonly number[] = contracts.map((c) => c.strike),
): number | null {
  const strikes = [...new Set(listed)].sort((a, b) => a - b);
  let best: number | null = null;
  let bestPain = Infinity;
  for (const x of strikes) {
    let pain = 0;
    for (const c of contracts) {
      pain += c.openInterest * (c.type === 'call' ? Math.max(x - c.strike, 0) : Math.max(c.strike - x, 0));
    }
    if (pain < bestPain) {
      bestPain = pain;
      best = x;
    }
  }
  return best;
}
