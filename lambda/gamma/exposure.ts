import type {
  GexBucket,
  OptionChain,
  OptionContract,
  Positioning,
  SkipReason,
  ExpiryRow,
  StrikeRow,
} from '../types';
import { dateInZone, VENUES } from '../venues';
import { dollarGammaAt, dollarGammaTerms, type DollarGammaTerms } from './black-scholes';

export const YEAR_MS = 365 * 86400 * 1000;
export const MIN_TIME_TO_EXPIRY_MINUTES = 5;
export const MAX_IV = 5;

export const SKIP_REASONS: readonly SkipReason[] = [
  'expired',
  'no_open_interest',
  'no_iv',
  'iv_out_of_range',
  'bad_price',
];

/**
 * The first reason (docs/methodology.md §3 order) a contract does not count, or null when it does. An infinite
 * open interest, strike or price (a text cell reading "Infinity") counts as missing.
 */
export function skipReason(c: OptionContract, asOf: number): SkipReason | null {
  if (!(c.expiry > asOf)) return 'expired';
  if (!(c.openInterest > 0 && Number.isFinite(c.openInterest))) return 'no_open_interest';
  if (!Number.isFinite(c.iv) || !(c.iv > 0)) return 'no_iv';
  if (c.iv > MAX_IV) return 'iv_out_of_range';
  if (!(c.strike > 0 && Number.isFinite(c.strike)) || !(c.forward > 0 && Number.isFinite(c.forward)))
    return 'bad_price';
  return null;
}

export interface Screened {
  used: OptionContract[];
  skipped: Record<SkipReason, number>;
}

export function screen(chain: OptionChain): Screened {
  const skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
  const used: OptionContract[] = [];
  for (const c of chain.contracts) {
    const reason = skipReason(c, chain.asOf);
    if (reason === null) used.push(c);
    else skipped[reason] += 1;
  }
  return { used, skipped };
}

/** Time to expiry in calendar years, floored at five minutes. */
export function yearsToExpiry(expiry: number, asOf: number): number {
  return Math.max((expiry - asOf) / YEAR_MS, (MIN_TIME_TO_EXPIRY_MINUTES * 60 * 1000) / YEAR_MS);
}

export function positioningSign(positioning: Positioning, type: OptionContract['type']): number {
  if (positioning === 'dealer-short') return -1;
  return type === 'call' ? 1 : -1;
}

/** A used contract with everything that does not change as the underlying moves worked out once. */
export interface PreparedContract {
  contract: OptionContract;
  /** Expiry date in the market's zone. */
  date: string;
  /**
   * Dollar-gamma terms with the exposure weight (sign × open interest × multiplier × 0.01) folded in and the
   * valuation price at level × forward / spot (1 for Cboe, where F is spot; each expiry's forward for Deribit).
   */
  terms: DollarGammaTerms;
}

export interface Carry {
  riskFreeRate: number;
  dividendYield: number;
}

export function prepare(
  chain: OptionChain,
  used: OptionContract[],
  positioning: Positioning,
  carry: Carry,
): PreparedContract[] {
  const venue = VENUES[chain.venue];
  const r = venue.usesCarry ? carry.riskFreeRate : 0;
  const q = venue.usesCarry ? carry.dividendYield : 0;
  // A chain has a few dozen expiry instants and thousands of contracts: name each date once.
  const dates = new Map<number, string>();
  return used.map((c) => {
    let date = dates.get(c.expiry);
    if (date === undefined) dates.set(c.expiry, (date = dateInZone(c.expiry, venue.zone)));
    const years = yearsToExpiry(c.expiry, chain.asOf);
    const weight = positioningSign(positioning, c.type) * c.openInterest * c.multiplier * 0.01;
    return {
      contract: c,
      date,
      terms: dollarGammaTerms(c.strike, c.iv, years, r, q, c.forward / chain.spot, weight),
    };
  });
}

/** Dealer gamma exposure of one contract, USD per 1% move, with the underlying at `level` (sticky strike). */
export function gexAt(p: PreparedContract, level: number, lnLevel = Math.log(level)): number {
  return dollarGammaAt(p.terms, level, lnLevel);
}

function emptyBucket(): GexBucket {
  return { callGex: 0, putGex: 0, netGex: 0, callOi: 0, putOi: 0 };
}

function addTo(bucket: GexBucket, type: OptionContract['type'], gex: number, oi: number): void {
  if (type === 'call') {
    bucket.callGex += gex;
    bucket.callOi += oi;
  } else {
    bucket.putGex += gex;
    bucket.putOi += oi;
  }
  bucket.netGex += gex;
}

export interface Aggregates {
  totals: { netGex: number; callGex: number; putGex: number };
  byStrike: StrikeRow[];
  byExpiry: ExpiryRow[];
}

/** Sums exposure at spot by strike (all roots and expiries), by expiry date and in total. */
export function aggregate(prepared: PreparedContract[], spot: number): Aggregates {
  const strikes = new Map<number, GexBucket>();
  const dates = new Map<string, GexBucket>();
  const total = emptyBucket();
  for (const p of prepared) {
    const gex = gexAt(p, spot);
    const { type, strike, openInterest } = p.contract;
    let s = strikes.get(strike);
    if (!s) strikes.set(strike, (s = emptyBucket()));
    let d = dates.get(p.date);
    if (!d) dates.set(p.date, (d = emptyBucket()));
    addTo(s, type, gex, openInterest);
    addTo(d, type, gex, openInterest);
    addTo(total, type, gex, openInterest);
  }
  return {
    totals: { netGex: total.netGex, callGex: total.callGex, putGex: total.putGex },
    byStrike: [...strikes].map(([strike, b]) => ({ strike, ...b })).sort((a, b) => a.strike - b.strike),
    byExpiry: [...dates]
      .map(([expiry, b]) => ({ expiry, ...b }))
      .sort((a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : 0)),
  };
}
