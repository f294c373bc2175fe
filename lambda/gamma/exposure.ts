import type {
  ExposureSums,
  ExpiryRow,
  OptionChain,
  OptionContract,
  Positioning,
  SkipReason,
  StrikeRow,
} from '../types';
import { dateInZone, VENUES } from '../venues';
import {
  dollarGammaAt,
  dollarGammaTerms,
  dollarGreeks,
  type DollarGammaTerms,
  type DollarGreeks,
} from './black-scholes';

export const YEAR_MS = 365 * 86400 * 1000;
export const MIN_TIME_TO_EXPIRY_MINUTES = 5;
/** Implied volatility outside [1%, 500%] is a placeholder or a broken quote (Cboe writes 0.001). */
export const MIN_IV = 0.01;
export const MAX_IV = 5;

export const SKIP_REASONS: readonly SkipReason[] = [
  'expired',
  'no_open_interest',
  'no_iv',
  'iv_out_of_range',
  'bad_price',
];

/**
 * The first reason (docs/methodology.md §3 order) a contract does not count, or null when it does. An
 * infinite open interest, strike or price counts as missing.
 */
export function skipReason(c: OptionContract, asOf: number): SkipReason | null {
  if (!(c.expiry > asOf)) return 'expired';
  if (!(c.openInterest > 0 && Number.isFinite(c.openInterest))) return 'no_open_interest';
  if (!Number.isFinite(c.iv) || !(c.iv > 0)) return 'no_iv';
  if (c.iv < MIN_IV || c.iv > MAX_IV) return 'iv_out_of_range';
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

/**
 * The exposures the record carries, as data (docs/methodology.md §4, §9): each is
 * sign × open interest × multiplier × dollar Greek × scale, in USD (the dollar Greeks carry the F and F²).
 * `key` names its record fields (`net<key>`, and `call<key>`/`put<key>` where the record splits it by side).
 * A new exposure is one entry here and its fields in `lambda/record-schema.ts`.
 */
export const EXPOSURES = [
  /** Γ·F² × 1%: USD of the underlying dealers trade to re-hedge a 1% move. */
  { key: 'Gex', greek: 'gamma', scale: 0.01, bySide: true },
  /** Δ·F: the dealers' dollar delta before hedging. */
  { key: 'Dex', greek: 'delta', scale: 1, bySide: false },
  /** vanna·F × 0.01: change of that dollar delta for +1 volatility point. */
  { key: 'Vex', greek: 'vanna', scale: 0.01, bySide: false },
  /** charm·F / 365: change of that dollar delta over one calendar day. */
  { key: 'Cex', greek: 'charm', scale: 1 / 365, bySide: false },
] as const satisfies readonly { key: string; greek: keyof DollarGreeks; scale: number; bySide: boolean }[];

export type ExposureKey = (typeof EXPOSURES)[number]['key'];

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
  /** The dealers' exposures with the underlying at spot, in EXPOSURES order (USD). */
  exposures: number[];
}

export interface Carry {
  riskFreeRate: number;
  dividendYield: number;
}

/** The rate and yield that apply on a venue: Deribit values each expiry on its own quoted forward. */
export function carryFor(chain: OptionChain, carry: Carry): Carry {
  return VENUES[chain.venue].usesCarry ? carry : { riskFreeRate: 0, dividendYield: 0 };
}

export function prepare(
  chain: OptionChain,
  used: OptionContract[],
  positioning: Positioning,
  carry: Carry,
): PreparedContract[] {
  const zone = VENUES[chain.venue].zone;
  const { riskFreeRate: r, dividendYield: q } = carryFor(chain, carry);
  // A chain has a few dozen expiry instants and thousands of contracts: name each date once.
  const dates = new Map<number, string>();
  return used.map((c) => {
    let date = dates.get(c.expiry);
    if (date === undefined) dates.set(c.expiry, (date = dateInZone(c.expiry, zone)));
    const years = yearsToExpiry(c.expiry, chain.asOf);
    // sign × open interest × multiplier turns one option's Greek into the dealers' position.
    const weight = positioningSign(positioning, c.type) * c.openInterest * c.multiplier;
    // At spot the valuation price is the contract's forward (spot for Cboe, that expiry's forward for Deribit).
    const g = dollarGreeks(c.type, c.forward, c.strike, c.iv, years, r, q);
    return {
      contract: c,
      date,
      terms: dollarGammaTerms(c.strike, c.iv, years, r, q, c.forward / chain.spot, weight * 0.01),
      exposures: EXPOSURES.map((e) => weight * g[e.greek] * e.scale),
    };
  });
}

/** Dealer gamma exposure of one contract, USD per 1% move, with the underlying at `level` (sticky strike). */
export function gexAt(p: PreparedContract, level: number, lnLevel = Math.log(level)): number {
  return dollarGammaAt(p.terms, level, lnLevel);
}

function emptySums(): ExposureSums {
  return { callGex: 0, putGex: 0, netGex: 0, callOi: 0, putOi: 0, netDex: 0, netVex: 0, netCex: 0 };
}

/** The row fields each exposure adds to, in EXPOSURES order: always its net, and its side's when it is split. */
const NET_FIELDS = EXPOSURES.map((e) => `net${e.key}` as const);
const SIDE_FIELDS = {
  call: EXPOSURES.map((e) => (e.bySide ? (`call${e.key}` as const) : null)),
  put: EXPOSURES.map((e) => (e.bySide ? (`put${e.key}` as const) : null)),
};

/** Adds one contract's open interest and exposures to a row. */
function addTo(row: ExposureSums, type: OptionContract['type'], oi: number, values: readonly number[]): void {
  if (type === 'call') row.callOi += oi;
  else row.putOi += oi;
  const sides = SIDE_FIELDS[type];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    row[NET_FIELDS[i]!] += v;
    const side = sides[i];
    if (side) row[side] += v;
  }
}

export interface Aggregates {
  totals: ExposureSums;
  byStrike: StrikeRow[];
  byExpiry: ExpiryRow[];
  /** Net GEX by expiry date, then by strike: the cells of the strike × expiry grid. */
  cells: Map<string, Map<number, number>>;
}

// ISO dates sort as text.
const byDate = (a: { expiry: string }, b: { expiry: string }) => a.expiry.localeCompare(b.expiry);

/** Each contract's exposures at spot summed by strike (all roots and expiries), by expiry date, by (date, strike) and in total. */
export function aggregate(prepared: readonly PreparedContract[]): Aggregates {
  const strikes = new Map<number, ExposureSums>();
  const dates = new Map<string, ExposureSums>();
  const cells = new Map<string, Map<number, number>>();
  const totals = emptySums();
  const gex = EXPOSURES.findIndex((e) => e.key === 'Gex');
  for (const p of prepared) {
    const values = p.exposures;
    const { type, strike, openInterest } = p.contract;
    let s = strikes.get(strike);
    if (!s) strikes.set(strike, (s = emptySums()));
    let d = dates.get(p.date);
    if (!d) dates.set(p.date, (d = emptySums()));
    let row = cells.get(p.date);
    if (!row) cells.set(p.date, (row = new Map()));
    row.set(strike, (row.get(strike) ?? 0) + values[gex]!);
    addTo(s, type, openInterest, values);
    addTo(d, type, openInterest, values);
    addTo(totals, type, openInterest, values);
  }
  return {
    totals,
    byStrike: [...strikes].map(([strike, b]) => ({ strike, ...b })).sort((a, b) => a.strike - b.strike),
    byExpiry: [...dates].map(([expiry, b]) => ({ expiry, ...b })).sort(byDate),
    cells,
  };
}
