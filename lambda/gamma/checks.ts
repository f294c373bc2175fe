import { InputError } from '../errors';
import { median } from '../readers/common';
import type { OptionChain, OptionContract, OptionType, ReportRecord } from '../types';
import { dateInZone, VENUES } from '../venues';

/**
 * The chain-level refusals of docs/methodology.md §3: what a chain as a whole must show before any of its
 * numbers is published. Each reader fills the contracts; every reader's chain, recorded or live, reaches the
 * report only through `checkChain`, so a rule added here holds for every venue and format.
 */

/** Below this share of a side's open interest with a usable quote, the chain is refused. */
export const MIN_COVERAGE = 0.5;
/** Below this share of unexpired contracts carrying open interest, the chain is refused (real chains: > 25%). */
export const MIN_OI_SHARE = 0.05;
/** A spot further than this from the forward the chain implies is refused (real chains: within 0.4%). */
export const MAX_SPOT_GAP = 0.1;
/** The implied forward comes from an expiry date at most this far ahead... */
const FORWARD_HORIZON_MS = 60 * 86400 * 1000;
/** ...with at least this many strikes quoting a bid and an ask on both the call and the put. */
const MIN_QUOTED_STRIKES = 3;

export type SpotCheck = NonNullable<ReportRecord['dataQuality']['spotCheck']>;

const SIDES: readonly OptionType[] = ['call', 'put'];

const hasOpenInterest = (c: OptionContract) => c.openInterest > 0 && Number.isFinite(c.openInterest);
const quoted = (c: OptionContract | undefined): c is OptionContract & { bid: number; ask: number } =>
  c !== undefined && c.bid! > 0 && c.ask! > 0 && Number.isFinite(c.bid) && Number.isFinite(c.ask);

/** How the messages name a chain: its symbol and snapshot (the pipeline prefixes the file or URL). */
const named = (chain: OptionChain) => `${chain.symbol} snapshot ${new Date(chain.asOf).toISOString()}`;

/**
 * A one-sided chain (every call's or every put's open interest missing or 0) and a chain where fewer than
 * MIN_OI_SHARE of the unexpired contracts carry open interest: a file with half its columns blanked would
 * otherwise publish a book several times too large, and two contracts out of 19,000 are not a market.
 */
function checkOpenInterest(chain: OptionChain): void {
  const held = { call: 0, put: 0 };
  let unexpired = 0;
  let withOi = 0;
  for (const c of chain.contracts) {
    if (!(c.expiry > chain.asOf)) continue;
    unexpired += 1;
    if (!hasOpenInterest(c)) continue;
    withOi += 1;
    held[c.type] += c.openInterest;
  }
  for (const side of SIDES) {
    if (unexpired > 0 && held[side] === 0) {
      throw new InputError(`${named(chain)}: no ${side} open interest: a one-sided chain is refused`);
    }
  }
  if (withOi < MIN_OI_SHARE * unexpired) {
    const pct = ((withOi / unexpired) * 100).toFixed(2);
    throw new InputError(
      `${named(chain)}: only ${withOi} of ${unexpired} unexpired contracts (${pct}%) carry open interest; at least ${MIN_OI_SHARE * 100}% is needed`,
    );
  }
}

/**
 * For calls and for puts separately, the contracts that count must hold at least half the open interest of the
 * unexpired contracts with open interest.
 */
function checkCoverage(chain: OptionChain, used: readonly OptionContract[]) {
  const held = { call: 0, put: 0 };
  const counted = { call: 0, put: 0 };
  for (const c of chain.contracts)
    if (c.expiry > chain.asOf && hasOpenInterest(c)) held[c.type] += c.openInterest;
  for (const c of used) counted[c.type] += c.openInterest;
  for (const side of SIDES) {
    if (held[side] > 0 && counted[side] < MIN_COVERAGE * held[side]) {
      const pct = Math.floor((counted[side] / held[side]) * 100);
      throw new InputError(
        `${named(chain)}: only ${pct}% of ${side} open interest has a usable implied volatility and price (at least ${MIN_COVERAGE * 100}% is needed)`,
      );
    }
  }
}

/** The call and put of each (root, strike) listed on one expiry date. */
type Pairs = Map<string, Partial<Record<OptionType, OptionContract>>>;

/**
 * The forward a chain implies for its nearest unexpired expiry date within 60 days with at least three strikes
 * quoting a bid and an ask (all > 0) on both the call and the put: put-call parity where the venue values on
 * spot (the median over those strikes of K + mid(call) − mid(put)), else the median of that date's quoted
 * forwards. Null when no date qualifies.
 */
export function impliedForward(chain: OptionChain): { expiry: string; forward: number } | null {
  const venue = VENUES[chain.venue];
  const byDate = new Map<string, { contracts: OptionContract[]; pairs: Pairs; last: number }>();
  // Each expiry's date once: the zone's arithmetic per contract was a fifth of an underlying's CPU time.
  const dates = new Map<number, string>();
  for (const c of chain.contracts) {
    if (!(c.expiry > chain.asOf)) continue;
    let date = dates.get(c.expiry);
    if (date === undefined) dates.set(c.expiry, (date = dateInZone(c.expiry, venue.zone)));
    let entry = byDate.get(date);
    if (!entry) byDate.set(date, (entry = { contracts: [], pairs: new Map(), last: c.expiry }));
    entry.contracts.push(c);
    entry.last = Math.max(entry.last, c.expiry);
    const key = `${c.root} ${c.strike}`;
    const pair = entry.pairs.get(key) ?? {};
    pair[c.type] = c;
    entry.pairs.set(key, pair);
  }
  for (const date of [...byDate.keys()].sort()) {
    const { contracts, pairs, last } = byDate.get(date)!;
    if (last - chain.asOf > FORWARD_HORIZON_MS) break;
    const both = [...pairs.values()].filter((p) => quoted(p.call) && quoted(p.put));
    const strikes = new Set(both.map((p) => p.call!.strike));
    if (strikes.size < MIN_QUOTED_STRIKES) continue;
    const forward =
      venue.impliedForward === 'parity'
        ? median(
            both.map(
              (p) => p.call!.strike + (p.call!.bid! + p.call!.ask!) / 2 - (p.put!.bid! + p.put!.ask!) / 2,
            ),
          )
        : median(contracts.map((c) => c.forward).filter((f) => f > 0 && Number.isFinite(f)));
    if (forward > 0) return { expiry: date, forward };
  }
  return null;
}

/**
 * The spot against the forward the chain itself implies: a `Last:` line off by a factor of 100, a price field
 * scaled, or one row's index wrong is refused rather than published with its signs flipped. Skipped, and said
 * so, for options priced off futures (VIX) and when no expiry date quotes enough strikes.
 */
function checkSpot(chain: OptionChain): SpotCheck {
  const venue = VENUES[chain.venue];
  const futures = chain.contracts.find((c) => venue.futuresPricedRoots?.has(c.root));
  if (futures !== undefined) {
    return {
      status: 'skipped',
      expiry: null,
      forward: null,
      gapPct: null,
      reason: `${futures.root} options price off futures, which can stand far from the index`,
    };
  }
  const implied = impliedForward(chain);
  if (implied === null) {
    return {
      status: 'skipped',
      expiry: null,
      forward: null,
      gapPct: null,
      reason: `no expiry within 60 days has ${MIN_QUOTED_STRIKES} strikes quoting a bid and an ask on both sides`,
    };
  }
  const gap = chain.spot / implied.forward - 1;
  if (!(Math.abs(gap) <= MAX_SPOT_GAP)) {
    throw new InputError(
      `${named(chain)}: the spot ${chain.spot} is ${(gap * 100).toFixed(1)}% from the forward ${implied.forward.toPrecision(6)} the chain implies for ${implied.expiry} (at most ${MAX_SPOT_GAP * 100}%): the spot contradicts the chain`,
    );
  }
  return { status: 'passed', expiry: implied.expiry, forward: implied.forward, gapPct: gap * 100 };
}

/**
 * Every chain-level rule of docs/methodology.md §3, in order: some contract counts, open interest on both
 * sides and on enough contracts, coverage of the contracts that count, the spot against the implied forward. Throws bad input
 * naming the chain and the rule; returns what the spot check found, for the record's dataQuality.
 */
export function checkChain(
  chain: OptionChain,
  used: readonly OptionContract[],
  skipped: Record<string, number>,
): SpotCheck {
  if (used.length === 0) {
    const reasons = Object.entries(skipped)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    throw new InputError(
      `${named(chain)}: no contract counts (all ${chain.contracts.length} skipped: ${reasons})`,
    );
  }
  checkOpenInterest(chain);
  checkCoverage(chain, used);
  return checkSpot(chain);
}
