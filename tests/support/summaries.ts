import type { Summary } from '../../lambda/report/screener';

/** Four capital letters for each index: AAAA, AAAB, … (456,976 of them). */
export function tickerOf(i: number): string {
  let s = '';
  for (let k = 0; k < 4; k++, i = Math.floor(i / 26)) s = String.fromCharCode(65 + (i % 26)) + s;
  return s;
}

/** A small seeded generator (mulberry32): the same rows on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` underlyings for the screener at scale, each the `base` summary (a real report's) under another
 * ticker with its own spot, exposures and levels, and 30 daily reports of spot and flip: numbers spread as a
 * long watchlist's are, both regimes, some without a flip or a vol ratio.
 */
export function synthesisedSummaries(base: Summary, n: number): Summary[] {
  const next = random(26);
  const day = Date.parse(base.row.asOf);
  return Array.from({ length: n }, (_, i) => {
    const spot = Math.round(10 ** (1 + next() * 3) * 100) / 100;
    const netGex = (next() - 0.45) * 10 ** (6 + next() * 4);
    const flip = next() < 0.1 ? null : spot * (0.9 + next() * 0.2);
    // Spot and flip walk back from today's values, a day at a time.
    let [s, f] = [spot, flip];
    const spark = Array.from({ length: 30 }, (_, d) => {
      const asOf = new Date(day - d * 86400000).toISOString();
      const point = { date: asOf.slice(0, 10), asOf, spot: s, flip: f === null || next() < 0.05 ? null : f };
      s *= 1 + (next() - 0.5) * 0.04;
      f = f === null ? null : f * (1 + (next() - 0.5) * 0.03);
      return point;
    }).reverse();
    return {
      ...base,
      change: null,
      spark,
      row: {
        ...base.row,
        symbol: tickerOf(i),
        regime: netGex > 0 ? 'positive' : 'negative',
        spot,
        netGex,
        tilt: Math.sign(netGex) * next() * 0.8,
        flip,
        flipDistancePct: flip === null ? null : ((spot - flip) / spot) * 100,
        callWall: Math.round(spot * (1 + next() * 0.1)),
        putWall: Math.round(spot * (1 - next() * 0.1)),
        zeroDteShare: next() < 0.3 ? 0 : next() * 0.6,
        expectedMovePct: next() * 4,
        netDex: (next() - 0.5) * 10 ** (7 + next() * 3),
        netVex: (next() - 0.5) * 10 ** (5 + next() * 3),
        netCex: (next() - 0.5) * 10 ** (5 + next() * 3),
        volRatio: next() < 0.2 ? null : 0.5 + next() * 2,
      },
    };
  });
}
