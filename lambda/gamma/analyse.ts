import { DEFAULT_SETTINGS, type Settings } from '../contract';
import { SCHEMA_VERSION } from '../record-schema';
import type { Assumptions, OptionChain, OptionContract, Positioning, ReportRecord } from '../types';
import { previousTradingDay, sessionOf } from '../calendar';
import { dateInZone, GROUPS, isMonthly, VENUES, type Venue } from '../venues';
import { checkChain } from './checks';
import { expectedMove } from './expected-move';
import {
  aggregate,
  carryFor,
  MIN_TIME_TO_EXPIRY_MINUTES,
  prepare,
  screen,
  type Aggregates,
  type PreparedContract,
} from './exposure';
import { maxPain, walls } from './levels';
import { gammaProfile, nearestTo, netGexAt, PROFILE_POINTS, profileLevels, zeroCrossings } from './profile';

export interface AnalysisOptions {
  positioning: Positioning;
  /** Continuous rate for Cboe underlyings; Deribit prices on its quoted forwards, so none applies there. */
  riskFreeRate: number;
  /** Continuous dividend yield for Cboe underlyings. */
  dividendYield: number;
  /** Half-width of the strike × expiry grid around spot, in percent (the page's strike window). */
  strikeWindowPct: number;
}

/** The analysis a deployment's or the CLI's settings ask for. */
export function analysisOptions(settings: Settings): AnalysisOptions {
  const { positioning, riskFreeRate, dividendYield, strikeWindowPct } = settings;
  return { positioning, riskFreeRate, dividendYield, strikeWindowPct };
}

export const DEFAULT_ANALYSIS: AnalysisOptions = analysisOptions(DEFAULT_SETTINGS);

/** Relative precision of each refined flip crossing (docs/methodology.md §5). */
const FLIP_TOLERANCE = 1e-6;

/** Expiry dates the grid shows, nearest first (§12). */
export const GRID_EXPIRIES = 12;

/**
 * What the chain still lists: each remaining expiry date (an unexpired contract's, in the market's zone,
 * whether or not the contract counts) with the strikes listed on it. §5, §6 and §12 speak of these; the sums
 * themselves only ever include the contracts that count.
 */
function listing(chain: OptionChain): Map<string, Set<number>> {
  const zone = VENUES[chain.venue].zone;
  const dates = new Map<number, string>();
  const out = new Map<string, Set<number>>();
  for (const c of chain.contracts) {
    // A strike that is not a positive number lists nothing (the contract is skipped as bad_price).
    if (!(c.expiry > chain.asOf) || !(c.strike > 0 && Number.isFinite(c.strike))) continue;
    let date = dates.get(c.expiry);
    if (date === undefined) dates.set(c.expiry, (date = dateInZone(c.expiry, zone)));
    let strikes = out.get(date);
    if (!strikes) out.set(date, (strikes = new Set()));
    strikes.add(c.strike);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Net GEX of the first GRID_EXPIRIES remaining dates at each strike listed on a remaining date within
 * ±windowPct of spot (bounds included), 0 where nothing counts (§12).
 */
function grid(cells: Aggregates['cells'], listed: Map<string, Set<number>>, spot: number, windowPct: number) {
  const lo = spot * (1 - windowPct / 100);
  const hi = spot * (1 + windowPct / 100);
  const all = new Set([...listed.values()].flatMap((strikes) => [...strikes]));
  const strikes = [...all].filter((k) => k >= lo && k <= hi).sort((a, b) => a - b);
  const expiries = [...listed.keys()].slice(0, GRID_EXPIRIES);
  return {
    strikes,
    expiries,
    netGex: expiries.map((date) => strikes.map((k) => cells.get(date)?.get(k) ?? 0)),
  };
}

/**
 * Which market session the quotes and the open interest belong to. Under an exchange calendar: the last
 * trade's session when the feed gives it, else the session open at the snapshot; Cboe's open interest is the
 * previous session's close. A venue that trades around the clock has one date for both: the snapshot's.
 */
function session(chain: OptionChain): ReportRecord['session'] {
  const quotes = chainSession(chain);
  const calendar = GROUPS[VENUES[chain.venue].group].calendar;
  return { quotes, openInterest: calendar === 'nyse' ? previousTradingDay(quotes) : quotes };
}

/** The session a chain's quotes belong to: its last trade's where the feed gives one, else its snapshot's. */
export function chainSession(chain: Pick<OptionChain, 'venue' | 'quoteTime' | 'asOf'>): string {
  return quoteSession(chain.venue, chain.quoteTime ?? chain.asOf);
}

/** The session of quotes made at an instant: the exchange session open then (or the one before), else its date. */
export function quoteSession(venue: Venue, instant: number): string {
  const spec = VENUES[venue];
  return GROUPS[spec.group].calendar === 'nyse' ? sessionOf(instant) : dateInZone(instant, spec.zone);
}

/** Gross gamma: calls’ and puts’ exposures without their signs, whatever the positioning. */
const grossGex = (s: { callGex: number; putGex: number }) => Math.abs(s.callGex) + Math.abs(s.putGex);

/**
 * What each venue of a crypto book adds (docs/methodology.md §17), from the contracts' venues: counts, sums,
 * its share of the book's gross gamma and its net GEX at each of the book's strikes. Undefined for a chain that
 * is neither a summed book nor crypto (one Cboe venue says nothing a table should repeat).
 */
function venueBreakdown(
  chain: OptionChain,
  used: readonly OptionContract[],
  prepared: readonly PreparedContract[],
  strikes: readonly number[],
): Pick<ReportRecord, 'venues' | 'venuesLeftOut'> {
  if (chain.book === undefined && VENUES[chain.venue].group !== 'crypto') return {};
  const read = chain.book?.venues ?? [{ venue: chain.venue, asOf: chain.asOf }];
  const of = (c: { venue?: Venue }) => c.venue ?? chain.venue;
  const sums = read.map(({ venue }) => aggregate(prepared.filter((p) => of(p.contract) === venue)));
  const bookGross = sums.reduce((sum, own) => sum + grossGex(own.totals), 0);
  const rows = read.map(({ venue, asOf }, i) => {
    const own = sums[i]!;
    const byStrike = new Map(own.byStrike.map((s) => [s.strike, s.netGex]));
    return {
      venue,
      asOf: new Date(asOf).toISOString(),
      contractsIn: chain.contracts.filter((c) => of(c) === venue).length,
      contractsUsed: used.filter((c) => of(c) === venue).length,
      netGex: own.totals.netGex,
      callGex: own.totals.callGex,
      putGex: own.totals.putGex,
      share: bookGross === 0 ? 0 : grossGex(own.totals) / bookGross,
      netGexByStrike: strikes.map((k) => byStrike.get(k) ?? 0),
    };
  });
  const leftOut = chain.book?.leftOut ?? [];
  return { venues: rows, ...(leftOut.length > 0 ? { venuesLeftOut: leftOut } : {}) };
}

/** A chain in, the report record out (docs/methodology.md §3 to §12, all but §11's change): pure, no I/O. */
export function analyse(chain: OptionChain, options: AnalysisOptions = DEFAULT_ANALYSIS): ReportRecord {
  const venue = VENUES[chain.venue];
  const carry = carryFor(chain, options);
  const { used, skipped } = screen(chain);
  const spotCheck = checkChain(chain, used, skipped);
  const prepared = prepare(chain, used, options.positioning, carry);
  const { totals, byStrike, byExpiry, cells } = aggregate(prepared);

  const listed = listing(chain);
  const remaining = [...listed.keys()];
  const nextExpiry = remaining[0] ?? null;
  const nextMonthly = remaining.find((date) => isMonthly(chain.venue, date)) ?? null;
  const levels = profileLevels(chain.spot, venue.profileRange, PROFILE_POINTS);
  const profile = gammaProfile(prepared, levels, nextExpiry, nextMonthly);
  const crossings = zeroCrossings(
    (level) => netGexAt(prepared, level),
    profile.levels,
    profile.all,
    FLIP_TOLERANCE * chain.spot,
  );
  const flip = nearestTo(chain.spot, crossings);
  const nearest = prepared.filter((p) => p.date === nextExpiry).map((p) => p.contract);

  const gross = totals.callGex - totals.putGex;
  const today = byExpiry.find((e) => e.expiry === dateInZone(chain.asOf, venue.zone));
  const todayGross = today ? today.callGex - today.putGex : 0;

  const assumptions: Assumptions = {
    positioning: options.positioning,
    riskFreeRate: carry.riskFreeRate,
    dividendYield: carry.dividendYield,
    minTimeToExpiryMinutes: MIN_TIME_TO_EXPIRY_MINUTES,
    profileRangePct: venue.profileRange * 100,
    profilePoints: PROFILE_POINTS,
  };

  return {
    schemaVersion: SCHEMA_VERSION,
    symbol: chain.symbol,
    source: chain.source,
    asOf: new Date(chain.asOf).toISOString(),
    spot: chain.spot,
    session: session(chain),
    currency: 'USD',
    unit: 'USD per 1% move',
    assumptions,
    dataQuality: { contractsIn: chain.contracts.length, contractsUsed: used.length, skipped, spotCheck },
    ...venueBreakdown(
      chain,
      used,
      prepared,
      byStrike.map((s) => s.strike),
    ),
    totals: {
      netGex: totals.netGex,
      callGex: totals.callGex,
      putGex: totals.putGex,
      netDex: totals.netDex,
      netVex: totals.netVex,
      netCex: totals.netCex,
      // Net over gross (§9): comparable across underlyings of any size.
      tilt: gross === 0 ? 0 : totals.netGex / gross,
    },
    regime: totals.netGex > 0 ? 'positive' : 'negative',
    flip: {
      level: flip,
      crossings,
      status: flip === null ? 'none-in-range' : 'found',
      distancePct: flip === null ? null : ((chain.spot - flip) / chain.spot) * 100,
    },
    levels: {
      ...walls(byStrike, chain.spot),
      maxPain: nextExpiry === null ? null : maxPain(nearest, [...listed.get(nextExpiry)!]),
    },
    byStrike,
    byExpiry,
    profile,
    zeroDte: {
      netGex: today?.netGex ?? 0,
      callGex: today?.callGex ?? 0,
      putGex: today?.putGex ?? 0,
      share: gross === 0 ? 0 : todayGross / gross,
    },
    expectedMove: {
      nextExpiry: expectedMove(prepared, profile.nextExpiry, chain.asOf),
      nextMonthly: expectedMove(prepared, profile.nextMonthly, chain.asOf),
    },
    change: null,
    grid: grid(cells, listed, chain.spot, options.strikeWindowPct),
  };
}
