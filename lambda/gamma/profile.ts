import type { ReportRecord } from '../types';
import { gexAt, type PreparedContract } from './exposure';

// Bound once: a global Math lookup inside a hot loop costs much more in a vm context (jest, Stryker).
const { exp, log } = Math;

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
  const lnLevel = log(level);
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
  // 201 levels × thousands of contracts: the terms go into flat typed arrays, and each evaluation is one
  // multiply-add and one exp: d1 = ln(level)·invVol + (shift·invVol + halfVol); dollar gamma is
  // scale · level · e^{−d1²/2}, with the level taken out of the sum. The contracts are ordered in three
  // blocks (next expiry date, next monthly date, the rest), so the loop sums a block without a branch.
  const blockOf = (p: PreparedContract) => (p.date === nextExpiry ? 0 : p.date === nextMonthly ? 1 : 2);
  const ordered = [...prepared].sort((a, b) => blockOf(a) - blockOf(b));
  const endNext = ordered.findIndex((p) => blockOf(p) > 0);
  const endMonthly = ordered.findIndex((p) => blockOf(p) > 1);
  const a = endNext < 0 ? ordered.length : endNext;
  const b = endMonthly < 0 ? ordered.length : endMonthly;
  const invVol = Float64Array.from(ordered, (p) => p.terms.invVol);
  const offset = Float64Array.from(ordered, (p) => p.terms.shift * p.terms.invVol + p.terms.halfVol);
  const scale = Float64Array.from(ordered, (p) => p.terms.scale);
  const block = (lnLevel: number, from: number, to: number) => {
    let sum = 0;
    for (let j = from; j < to; j++) {
      const d1 = lnLevel * invVol[j]! + offset[j]!;
      sum += scale[j]! * exp(-0.5 * d1 * d1);
    }
    return sum;
  };
  const all: number[] = [];
  const exNextExpiry: number[] = [];
  const exNextMonthly: number[] = [];
  for (const level of levels) {
    const lnLevel = log(level);
    const next = block(lnLevel, 0, a);
    // The monthly date's block is the next expiry's when both are the same date.
    const monthly = nextMonthly === nextExpiry ? next : block(lnLevel, a, b);
    const sum =
      nextMonthly === nextExpiry
        ? next + block(lnLevel, a, ordered.length)
        : next + monthly + block(lnLevel, b, ordered.length);
    all.push(sum * level);
    exNextExpiry.push((sum - next) * level);
    exNextMonthly.push((sum - monthly) * level);
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
