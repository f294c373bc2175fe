import type { OptionChain } from '../lambda/types';
import type { Venue } from '../lambda/venues';
import { loadFixture } from './helpers';

/** The recorded Deribit chain the combined-book fixtures start from. */
export const DERIBIT_BTC = 'deribit_BTC_2026-03-13.json';

/**
 * The second crypto venue of the combined-book tests: Bybit, whose chains the fixture imitates in shape (coins,
 * decimal IVs, quoted forwards). Its analyses alone run without carry, as every crypto venue is valued.
 */
export const SECOND_VENUE: Venue = 'bybit';

/** The analysis options of a crypto venue: valued on its quoted forwards, no rate or yield. */
export const NO_CARRY = { riskFreeRate: 0, dividendYield: 0 } as const;

/**
 * A second venue's chain made from the real Deribit chain, not read from a venue (no whole chain of another
 * venue is recorded): the same underlying, expiries (08:00 UTC), strikes, decimal IVs and forwards, each
 * contract's open interest scaled by `oiScale` (coins, as §17's table normalises every venue), its own index a
 * little off Deribit's, and no bid or ask (its quotes would be in another unit). `minutesLater` moves its snapshot.
 */
export function secondVenueChain(
  deribit: OptionChain,
  opts: { oiScale?: number; minutesLater?: number; venue?: Venue } = {},
): OptionChain {
  const scale = opts.oiScale ?? 0.3;
  return {
    symbol: deribit.symbol,
    source: 'bybit',
    venue: opts.venue ?? SECOND_VENUE,
    asOf: deribit.asOf + (opts.minutesLater ?? 0) * 60_000,
    spot: deribit.spot * 1.0004,
    contracts: deribit.contracts.map((c) => {
      const k = { ...c, openInterest: c.openInterest * scale };
      delete k.bid;
      delete k.ask;
      return k;
    }),
  };
}

/** The recorded Deribit BTC chain. */
export function deribitBtc(): OptionChain {
  return loadFixture(DERIBIT_BTC);
}
