/** The data the product passes around: one normalised contract, one chain, one report record (METHODOLOGY §1, §7). */

export type OptionType = 'call' | 'put';

/** Where a chain came from; also the `source` field of the report record. */
export type SourceKind = 'cboe' | 'cboe-csv' | 'deribit';

/** The exchange family decides time zone, multiplier, forward model, profile range and the monthly rule. */
export type Venue = 'cboe' | 'deribit';

export type Positioning = 'classic' | 'dealer-short';

/** One option, whatever its source (METHODOLOGY §1). Missing numbers are NaN so the filters can name them. */
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
