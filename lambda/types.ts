/** The data the product passes around: one normalised contract, one chain, one report record (docs/methodology.md §1, §7). */
import type { Positioning } from './contract';
import type { Origin } from './failure';
import type { ReportRecord } from './record-schema';
import type { SourceKind, Venue } from './venues';

export type { Positioning, SourceKind, Venue };

export type OptionType = 'call' | 'put';

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
  /**
   * The best bid and ask, in the venue's own quote unit (USD per share for Cboe, coins for Deribit), NaN or absent
   * when not quoted. Never used for exposure: only to check the spot against the forward the chain implies
   * (docs/methodology.md §3).
   */
  bid?: number;
  ask?: number;
  /**
   * The venue the contract was read from, set when venues are summed into one book (docs/methodology.md §17):
   * the same strike on two venues is two contracts. Absent means the chain's venue.
   */
  venue?: Venue;
}

/**
 * Chains to analyse: a recorded file or a live symbol, loaded only when its turn comes. A live symbol and most
 * files hold one chain; a Deribit snapshot CSV one per currency.
 */
export interface ChainInput {
  /** The file path or symbol, used to name a failure. */
  label: string;
  origin: Origin;
  load(): Promise<OptionChain[]>;
}

export interface OptionChain {
  symbol: string;
  source: SourceKind;
  venue: Venue;
  /** Snapshot instant, epoch milliseconds UTC. */
  asOf: number;
  /** When the quotes were made, if the feed says (Cboe JSON's last trade): dates the session. */
  quoteTime?: number;
  spot: number;
  contracts: OptionContract[];
  /**
   * The instant whose age decides whether a live answer is stale, when it differs from asOf: Deribit's median
   * row time, so one fresh row among stale ones does not pass (docs/methodology.md §3). @default asOf
   */
  ageAsOf?: number;
  /**
   * Set on a book summed across venues (docs/methodology.md §17): the venues in it with their own snapshots, and
   * the venues left out with why. Absent on one venue's chain as read.
   */
  book?: {
    venues: { venue: Venue; asOf: number }[];
    leftOut: { venue: Venue; reason: string }[];
  };
}

export type { ReportRecord };
export type SkipReason = keyof ReportRecord['dataQuality']['skipped'];
export type Assumptions = ReportRecord['assumptions'];
export type StrikeRow = ReportRecord['byStrike'][number];
export type ExpiryRow = ReportRecord['byExpiry'][number];
/** What every by-strike and by-expiry row sums: gamma by side and net, open interest by side, the net exposures. */
export type ExposureSums = Omit<StrikeRow, 'strike'>;
