import type { ReportRecord } from '../types';
import { dollarGammaOf } from './black-scholes';
import { gexAt, type PreparedContract } from './exposure';

export const PROFILE_POINTS = 201;

export type Profile = ReportRecord['profile'];

/** `points` levels evenly spaced over spot × [1 − range, 1 + range]. */
export function profileLevels(spot: number, range: number, points: number): number[] {
  const lo = spot * (1 - range);
  const step = (2 * range * spot) / (points - 1);
  return Array.from({ length: points }, (_, i) => lo + i * step);
}

/** Total exposure of the contracts with the underlying at `level`. */
export function netGexAt(prepared: readonly PreparedContract[], level: number): number {
  const lnLevel = Math.log(level);
  let sum = 0;
  for (const p of prepared) sum += gexAt(p, level, lnLevel);
  return sum;
}

/**
 * The three curves of docs/methodology.md §5: all contracts, without the earliest remaining expiry date, and
 * without the earliest remaining standard monthly date (a curve equals `all` when its date is absent or
 * none of its contracts counts). One pass over the contracts per level: the two ex-curves are `all` less
 * the sums of their dates.
 */
export function gammaProfile(
  prepared: readonly PreparedContract[],
  levels: readonly number[],
  nextExpiry: string | null,
  nextMonthly: string | null,
): Profile {
  // 201 levels × thousands of contracts: the terms go into flat typed arrays for the inner loop.
  const n = prepared.length;
  const shift = Float64Array.from(prepared, (p) => p.terms.shift);
  const invVol = Float64Array.from(prepared, (p) => p.terms.invVol);
  const halfVol = Float64Array.from(prepared, (p) => p.terms.halfVol);
  const scale = Float64Array.from(prepared, (p) => p.terms.scale);
  const inNext = Uint8Array.from(prepared, (p) => (p.date === nextExpiry ? 1 : 0));
  const inMonthly = Uint8Array.from(prepared, (p) => (p.date === nextMonthly ? 1 : 0));
  const all: number[] = [];
  const exNextExpiry: number[] = [];
  const exNextMonthly: number[] = [];
  for (const level of levels) {
    const lnLevel = Math.log(level);
    let sum = 0;
    let next = 0;
    let monthly = 0;
    for (let j = 0; j < n; j++) {
      const g = dollarGammaOf(shift[j]!, invVol[j]!, halfVol[j]!, scale[j]!, level, lnLevel);
      sum += g;
      if (inNext[j]) next += g;
      if (inMonthly[j]) monthly += g;
    }
    all.push(sum);
    exNextExpiry.push(nextExpiry === null ? sum : sum - next);
    exNextMonthly.push(nextMonthly === null ? sum : sum - monthly);
  }
  return { levels: [...levels], all, exNextExpiry, exNextMonthly, nextExpiry, nextMonthly };
}

/** Bisection on a bracket [a, b] with f(a), f(b) of opposite signs, to within `tolerance` in x. */
export function bisect(f: (x: number) => number, a: number, b: number, tolerance: number): number {
  let lo = a;
  let hi = b;
  let fLo = f(lo);
  while (hi - lo > tolerance) {
    const mid = 0.5 * (lo + hi);
    // No representable point left between the ends: this is as close as doubles get.
    if (mid <= lo || mid >= hi) break;
    const fMid = f(mid);
    if (fMid === 0) return mid;
    if (fMid > 0 === fLo > 0) {
      lo = mid;
      fLo = fMid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

/**
 * Every zero of the continuous function sampled as `values` at `levels`: each sign change between
 * neighbours is refined by bisection; a sample that is exactly zero is itself a crossing.
 */
export function zeroCrossings(
  f: (x: number) => number,
  levels: readonly number[],
  values: readonly number[],
  tolerance: number,
): number[] {
  const crossings: number[] = [];
  for (let i = 0; i < levels.length; i++) {
    const v = values[i] as number;
    if (v === 0) {
      crossings.push(levels[i] as number);
      continue;
    }
    if (i + 1 < levels.length) {
      const next = values[i + 1] as number;
      if (next !== 0 && v > 0 !== next > 0) {
        crossings.push(bisect(f, levels[i] as number, levels[i + 1] as number, tolerance));
      }
    }
  }
  return crossings;
}

/** The crossing nearest to spot (the lower one on an exact tie), or null. */
export function nearestTo(spot: number, crossings: readonly number[]): number | null {
  let best: number | null = null;
  for (const x of crossings) {
    if (best === null || Math.abs(x - spot) < Math.abs(best - spot)) best = x;
  }
  return best;
}
