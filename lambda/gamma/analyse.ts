import { DEFAULT_SETTINGS } from '../contract';
import { InputError } from '../errors';
import type { Assumptions, OptionChain, Positioning, ReportRecord } from '../types';
import { isMonthly, VENUES } from '../venues';
import { aggregate, MIN_TIME_TO_EXPIRY_MINUTES, prepare, screen } from './exposure';
import { maxPain, walls } from './levels';
import { gammaProfile, nearestTo, netGexAt, PROFILE_POINTS, profileLevels, zeroCrossings } from './profile';

export const SCHEMA_VERSION = 1;

export interface AnalysisOptions {
  positioning: Positioning;
  /** Continuous rate for Cboe underlyings; Deribit prices on its quoted forwards, so none applies there. */
  riskFreeRate: number;
  /** Continuous dividend yield for Cboe underlyings. */
  dividendYield: number;
}

export const DEFAULT_ANALYSIS: AnalysisOptions = {
  positioning: DEFAULT_SETTINGS.positioning,
  riskFreeRate: DEFAULT_SETTINGS.riskFreeRate,
  dividendYield: DEFAULT_SETTINGS.dividendYield,
};

/** Relative precision of each refined flip crossing (docs/methodology.md §5). */
const FLIP_TOLERANCE = 1e-6;

/** Below this share of contracts with open interest, a chain is taken for a truncated or broken feed. */
export const MIN_OPEN_INTEREST_SHARE = 0.05;

/**
 * A report on half a chain is worse than none: the chain must keep at least one contract after the filters,
 * and carry open interest on a minimum share of its contracts. Otherwise bad input, with the counts.
 */
function checkSanity(chain: OptionChain, used: number, skipped: Record<string, number>): void {
  const where = `${chain.symbol} snapshot ${new Date(chain.asOf).toISOString()}`;
  if (used === 0) {
    const reasons = Object.entries(skipped)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    throw new InputError(`${where}: no contract counts (all ${chain.contracts.length} skipped: ${reasons})`);
  }
  const withOi = chain.contracts.filter((c) => c.openInterest > 0).length;
  if (withOi < MIN_OPEN_INTEREST_SHARE * chain.contracts.length) {
    throw new InputError(
      `${where}: open interest on only ${withOi} of ${chain.contracts.length} contracts (under ${MIN_OPEN_INTEREST_SHARE * 100}%): the feed looks incomplete`,
    );
  }
}

/** A chain in, the report record out (docs/methodology.md §3 to §7): pure, no I/O. */
export function analyse(chain: OptionChain, options: AnalysisOptions = DEFAULT_ANALYSIS): ReportRecord {
  const venue = VENUES[chain.venue];
  const carry = venue.usesCarry ? options : { riskFreeRate: 0, dividendYield: 0 };
  const { used, skipped } = screen(chain);
  checkSanity(chain, used.length, skipped);
  const prepared = prepare(chain, used, options.positioning, carry);
  const { totals, byStrike, byExpiry } = aggregate(prepared, chain.spot);

  const levels = profileLevels(chain.spot, venue.profileRange, PROFILE_POINTS);
  const profile = gammaProfile(prepared, levels, (date) => isMonthly(chain.venue, date));
  const crossings = zeroCrossings(
    (level) => netGexAt(prepared, level),
    profile.levels,
    profile.all,
    FLIP_TOLERANCE * chain.spot,
  );
  const flip = nearestTo(chain.spot, crossings);
  const nearest = prepared.filter((p) => p.date === profile.nextExpiry).map((p) => p.contract);

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
    currency: 'USD',
    unit: 'USD per 1% move',
    assumptions,
    dataQuality: { contractsIn: chain.contracts.length, contractsUsed: used.length, skipped },
    totals,
    regime: totals.netGex > 0 ? 'positive' : 'negative',
    flip: {
      level: flip,
      crossings,
      status: flip === null ? 'none-in-range' : 'found',
      distancePct: flip === null ? null : ((chain.spot - flip) / chain.spot) * 100,
    },
    levels: { ...walls(byStrike, chain.spot), maxPain: maxPain(nearest) },
    byStrike,
    byExpiry,
    profile,
  };
}
