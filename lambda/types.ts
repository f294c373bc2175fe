/** The data the product passes around: one normalised contract, one chain, one report record (docs/methodology.md §1, §7). */
import type { Positioning } from './contract';
import type { Origin } from './failure';
import type { Venue } from './venues';

export type { Positioning, Venue };

export type OptionType = 'call' | 'put';

/** The feed and format a chain was read from: the `source` field of the report record. */
export type SourceKind = 'cboe' | 'cboe-csv' | 'deribit';

/** One option, whatever its feed (docs/methodology.md §1). Missing numbers are NaN so the filters can name them. */
export interface OptionContract {
  underlying: string;
  root: string;
  type: OptionType;
  strike: number;
  /** Expiry instant, epoch milliseconds UTC. */
  expiry: number;
  openInterest: number;
  /** Implied volatility as a decimal. */
  iv: number;
  multiplier: number;
  /** The price the option is valued on: the chain's spot (Cboe) or that expiry's forward (Deribit). */
  forward: number;
  /** The source's own gamma, rounded (Cboe only); informational, never used for exposure. */
  vendorGamma?: number;
}

/** One chain to analyse: a recorded file or a live symbol, loaded only when its turn comes. */
export interface ChainInput {
  /** The file path or symbol, used to name a failure. */
  label: string;
  origin: Origin;
  load(): Promise<OptionChain>;
}

export interface OptionChain {
  symbol: string;
  source: SourceKind;
  venue: Venue;
  /** Snapshot instant, epoch milliseconds UTC. */
  asOf: number;
  spot: number;
  contracts: OptionContract[];
}

export type SkipReason = 'expired' | 'no_open_interest' | 'no_iv' | 'iv_out_of_range' | 'bad_price';

export interface Assumptions {
  positioning: Positioning;
  riskFreeRate: number;
  dividendYield: number;
  minTimeToExpiryMinutes: number;
  profileRangePct: number;
  profilePoints: number;
}

export interface GexBucket {
  callGex: number;
  putGex: number;
  netGex: number;
  callOi: number;
  putOi: number;
}

export interface StrikeRow extends GexBucket {
  strike: number;
}

export interface ExpiryRow extends GexBucket {
  /** YYYY-MM-DD in the market's time zone. */
  expiry: string;
}

export interface ReportRecord {
  schemaVersion: number;
  symbol: string;
  source: SourceKind;
  /** ISO 8601, UTC. */
  asOf: string;
  spot: number;
  currency: 'USD';
  unit: string;
  assumptions: Assumptions;
  dataQuality: {
    contractsIn: number;
    contractsUsed: number;
    skipped: Record<SkipReason, number>;
  };
  totals: { netGex: number; callGex: number; putGex: number };
  regime: 'positive' | 'negative';
  flip: {
    level: number | null;
    crossings: number[];
    status: 'found' | 'none-in-range';
    distancePct: number | null;
  };
  levels: {
    callWall: number | null;
    putWall: number | null;
    absGammaStrike: number | null;
    maxPain: number | null;
  };
  byStrike: StrikeRow[];
  byExpiry: ExpiryRow[];
  profile: {
    levels: number[];
    all: number[];
    exNextExpiry: number[];
    exNextMonthly: number[];
    nextExpiry: string | null;
    nextMonthly: string | null;
  };
}
