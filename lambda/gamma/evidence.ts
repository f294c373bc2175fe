import type { Evidence } from '../record-schema';
import { normCdf } from './black-scholes';
import { YEAR_MS } from './exposure';

/**
 * Regime evidence (docs/methodology.md §16): does the store's own history bear out the claim that dealers'
 * gamma damps moves when positive and amplifies them when negative? Descriptive statistics over pairs of
 * consecutive records, close to close; pure, no I/O.
 */

export type { Evidence };

/** What the evidence reads of one stored record (a history point has these fields). */
export interface EvidencePoint {
  asOf: string;
  spot: number;
  netGex: number;
  /** totals.tilt (§9); null or absent when the record has none. */
  tilt?: number | null;
  /** expectedMove.nextExpiry.atmIv (§10); null or absent when there is none. */
  atmIv?: number | null;
  callWall: number | null;
  putWall: number | null;
}

/** How far apart the two records of a pair may be, by schedule group (lambda/venues.ts GROUPS). */
export interface PairGaps {
  minGapHours: number;
  maxGapHours: number;
}

/** Below this many pairs the page says "not enough history" instead of reading the figures. */
export const MIN_PAIRS = 20;
/** The groups' sizes below which the ratio, the rank test and the correlation are null. */
export const MIN_RATIO_PAIRS = 2;
export const MIN_TEST_PAIRS = 5;
/** The two-sided 95% normal quantile of the Wilson intervals. */
export const WILSON_Z = 1.959964;
/** The share of moves inside one standard deviation under the lognormal model: 2Φ(1) − 1, about 68.3%. */
export const MODEL_INSIDE = 2 * normCdf(1) - 1;

const HOUR_MS = 3600 * 1000;

/** One pair of records i → j: the normalised move and what record i said. */
export interface EvidencePair {
  from: EvidencePoint;
  to: EvidencePoint;
  /** Years between the two snapshots. */
  dt: number;
  /** ln(spot_j / spot_i). */
  r: number;
  /** |r| / √dt: the move on the scale of an annualised volatility. */
  x: number;
}

/** The records in time order, one per instant: of two with the same asOf, the one written last. */
function byInstant(points: readonly EvidencePoint[]): { t: number; p: EvidencePoint }[] {
  const unique = new Map<number, EvidencePoint>();
  for (const p of points) unique.set(Date.parse(p.asOf), p);
  return [...unique].map(([t, p]) => ({ t, p })).sort((a, b) => a.t - b.t);
}

/**
 * Each record's partner is the first record at least minGap later, kept when it is at most maxGap later; a
 * record starts at most one pair, and pairs may chain.
 */
export function pairsOf(points: readonly EvidencePoint[], gaps: PairGaps): EvidencePair[] {
  const sorted = byInstant(points);
  const min = gaps.minGapHours * HOUR_MS;
  const max = gaps.maxGapHours * HOUR_MS;
  const pairs: EvidencePair[] = [];
  let j = 0;
  sorted.forEach(({ t, p }, i) => {
    if (j <= i) j = i + 1;
    while (j < sorted.length && sorted[j]!.t - t < min) j++;
    const partner = sorted[j];
    if (partner === undefined || partner.t - t > max) return;
    const dt = (partner.t - t) / YEAR_MS;
    const r = Math.log(partner.p.spot / p.spot);
    pairs.push({ from: p, to: partner.p, dt, r, x: Math.abs(r) / Math.sqrt(dt) });
  });
  return pairs;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function regimeStats(pairs: readonly EvidencePair[]): Evidence['byRegime']['positive'] {
  if (pairs.length === 0) return { n: 0, meanAbsReturn: null, rmsReturn: null, annualisedVol: null };
  return {
    n: pairs.length,
    meanAbsReturn: mean(pairs.map((p) => Math.abs(p.r))),
    rmsReturn: Math.sqrt(mean(pairs.map((p) => p.r * p.r))),
    annualisedVol: Math.sqrt(mean(pairs.map((p) => (p.r * p.r) / p.dt))),
  };
}

/** Ranks from 1, ties sharing the average of their ranks; and Σ(t³ − t) over the groups of ties. */
export function averageRanks(values: readonly number[]): { ranks: number[]; ties: number } {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  let ties = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && order[end]!.v === order[start]!.v) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!.i] = rank;
    const t = end - start;
    ties += t * t * t - t;
    start = end;
  }
  return { ranks, ties };
}

/**
 * Mann–Whitney U of `a` against `b` with the normal approximation: U counts the (a, b) pairs where a is
 * larger, ties counting one half; z uses the tie-corrected variance, no continuity correction; p is
 * two-sided. Null when either sample has fewer than MIN_TEST_PAIRS values or every value ties (variance 0).
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): Evidence['mannWhitney'] {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < MIN_TEST_PAIRS || n2 < MIN_TEST_PAIRS) return null;
  const n = n1 + n2;
  const { ranks, ties } = averageRanks([...a, ...b]);
  const u = ranks.slice(0, n1).reduce((s, r) => s + r, 0) - (n1 * (n1 + 1)) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return null;
  const z = (u - (n1 * n2) / 2) / Math.sqrt(variance);
  return { u, z, p: Math.min(1, 2 * normCdf(-Math.abs(z))) };
}

/**
 * Spearman's ρ: the Pearson correlation of the average ranks. Null below MIN_TEST_PAIRS pairs or when either
 * variable takes one value only (its ranks do not vary).
 */
export function spearman(xs: readonly number[], ys: readonly number[]): Evidence['spearman'] {
  const n = xs.length;
  if (n < MIN_TEST_PAIRS) return null;
  const rx = averageRanks(xs).ranks;
  const ry = averageRanks(ys).ranks;
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i]! - mx;
    const dy = ry[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return { rho: sxy / Math.sqrt(sxx * syy), n };
}

/** The Wilson score interval of `hits` out of `n` at WILSON_Z; null when n is 0. */
export function wilson95(hits: number, n: number): [number, number] | null {
  if (n === 0) return null;
  const p = hits / n;
  const z2 = WILSON_Z * WILSON_Z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (WILSON_Z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [centre - half, centre + half];
}

/** `hits` of the pairs `counted` accepts, with the rate and its interval. */
function rateOf(
  pairs: readonly EvidencePair[],
  counted: (p: EvidencePair) => boolean,
  hit: (p: EvidencePair) => boolean,
) {
  const over = pairs.filter(counted);
  const hits = over.filter(hit).length;
  return {
    n: over.length,
    hits,
    rate: over.length === 0 ? null : hits / over.length,
    wilson95: wilson95(hits, over.length),
  };
}

/**
 * The evidence document of one underlying from its records, in the order they were written
 * (docs/methodology.md §16): pairs by `gaps`, the two regimes' move sizes and their ratio, the rank test of
 * the normalised moves, their rank correlation with tilt, and how often the expected move contained the move
 * and the walls held.
 */
export function regimeEvidence(symbol: string, points: readonly EvidencePoint[], gaps: PairGaps): Evidence {
  const sorted = byInstant(points);
  const pairs = pairsOf(points, gaps);
  const positive = pairs.filter((p) => p.from.netGex > 0);
  const negative = pairs.filter((p) => p.from.netGex < 0);
  const byRegime = { positive: regimeStats(positive), negative: regimeStats(negative) };
  const enough = positive.length >= MIN_RATIO_PAIRS && negative.length >= MIN_RATIO_PAIRS;
  const volPositive = byRegime.positive.annualisedVol;
  const tilted = pairs.filter((p) => typeof p.from.tilt === 'number');
  const move = rateOf(
    pairs,
    (p) => typeof p.from.atmIv === 'number',
    (p) => Math.abs(p.to.spot - p.from.spot) <= p.from.spot * p.from.atmIv! * Math.sqrt(p.dt),
  );
  const call = rateOf(
    pairs,
    (p) => p.from.callWall !== null && p.from.callWall > p.from.spot,
    (p) => p.to.spot <= p.from.callWall!,
  );
  const put = rateOf(
    pairs,
    (p) => p.from.putWall !== null && p.from.putWall < p.from.spot,
    (p) => p.to.spot >= p.from.putWall!,
  );
  return {
    symbol,
    from: sorted[0]?.p.asOf ?? null,
    to: sorted.at(-1)?.p.asOf ?? null,
    pairs: pairs.length,
    minGapHours: gaps.minGapHours,
    maxGapHours: gaps.maxGapHours,
    byRegime,
    // A positive group that never moved has no scale to compare with.
    volRatio: enough && volPositive! > 0 ? byRegime.negative.annualisedVol! / volPositive! : null,
    mannWhitney: mannWhitney(
      negative.map((p) => p.x),
      positive.map((p) => p.x),
    ),
    spearman: spearman(
      tilted.map((p) => p.from.tilt!),
      tilted.map((p) => p.x),
    ),
    expectedMove: { n: move.n, inside: move.hits, rate: move.rate, wilson95: move.wilson95 },
    callWall: { n: call.n, held: call.hits, rate: call.rate, wilson95: call.wilson95 },
    putWall: { n: put.n, held: put.hits, rate: put.rate, wilson95: put.wilson95 },
  };
}
