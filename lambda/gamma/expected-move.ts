import type { ReportRecord } from '../types';
import { yearsToExpiry, type PreparedContract } from './exposure';

export type ExpectedMove = NonNullable<ReportRecord['expectedMove']['nextExpiry']>;

/**
 * The market's own one-standard-deviation move to an expiry date (docs/methodology.md §10): the at-the-money
 * IV, interpolated linearly in strike at the forward between the nearest listed strikes on each side (a
 * strike's IV is the mean over its calls and puts, all roots), times the forward and √T to the date's latest
 * expiry instant; that T, the move's horizon, goes in the record as `years`. Null when the date has no
 * contracts or the forward is not bracketed by listed strikes.
 */
export function expectedMove(
  prepared: readonly PreparedContract[],
  date: string | null,
  asOf: number,
): ExpectedMove | null {
  if (date === null) return null;
  const ivs = new Map<number, { sum: number; n: number }>();
  let forwardSum = 0;
  let count = 0;
  let latest = -Infinity;
  for (const p of prepared) {
    if (p.date !== date) continue;
    const c = p.contract;
    const at = ivs.get(c.strike) ?? { sum: 0, n: 0 };
    at.sum += c.iv;
    at.n += 1;
    ivs.set(c.strike, at);
    // Cboe contracts all carry spot as their forward, so the mean is spot there; Deribit's is that expiry's.
    forwardSum += c.forward;
    count += 1;
    latest = Math.max(latest, c.expiry);
  }
  if (count === 0) return null;
  const forward = forwardSum / count;
  const strikes = [...ivs.keys()].sort((a, b) => a - b);
  const ivAt = (k: number) => ivs.get(k)!.sum / ivs.get(k)!.n;
  let below: number | undefined;
  let above: number | undefined;
  for (const k of strikes) {
    if (k <= forward) below = k;
    if (k >= forward && above === undefined) above = k;
  }
  if (below === undefined || above === undefined) return null;
  const atmIv =
    below === above
      ? ivAt(below)
      : ivAt(below) + ((ivAt(above) - ivAt(below)) * (forward - below)) / (above - below);
  const years = yearsToExpiry(latest, asOf);
  const move = forward * atmIv * Math.sqrt(years);
  return { expiry: date, atmIv, move, lower: forward - move, upper: forward + move, years };
}
