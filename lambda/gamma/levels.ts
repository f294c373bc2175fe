import type { OptionContract, StrikeRow } from '../types';

/** What the walls read of a by-strike row. */
type Row = Pick<StrikeRow, 'strike' | 'callGex' | 'putGex'>;

/** The row maximising `score` among those kept by `keep`; ties go to the lower strike (rows are sorted). */
function strikeWithLargest(
  rows: readonly Row[],
  keep: (row: Row) => boolean,
  score: (row: Row) => number,
): number | null {
  let best: Row | null = null;
  for (const row of rows) {
    if (!keep(row)) continue;
    if (best === null || score(row) > score(best)) best = row;
  }
  return best === null ? null : best.strike;
}

/**
 * Call wall, put wall and absolute gamma strike (docs/methodology.md §6), as the spec writes them: the
 * largest callGex at or above spot, the largest |putGex| at or below it, the largest callGex + |putGex|; a
 * side with no contracts at a strike has no wall there. Under `dealer-short`, where callGex ≤ 0, "largest"
 * picks the smallest call concentration: §6 says so, and the record follows it (see the methodology).
 */
export function walls(byStrike: readonly Row[], spot: number) {
  return {
    callWall: strikeWithLargest(
      byStrike,
      (r) => r.strike >= spot && r.callGex !== 0,
      (r) => r.callGex,
    ),
    putWall: strikeWithLargest(
      byStrike,
      (r) => r.strike <= spot && r.putGex !== 0,
      (r) => Math.abs(r.putGex),
    ),
    absGammaStrike: strikeWithLargest(
      byStrike,
      (r) => r.callGex !== 0 || r.putGex !== 0,
      (r) => r.callGex + Math.abs(r.putGex),
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
