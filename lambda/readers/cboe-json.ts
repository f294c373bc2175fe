import { DateTime } from 'luxon';
import type { OptionChain } from '../types';
import { ChainContracts, jsonSchemas, requireSpot, snapshotInstant, type ParseOptions } from './common';
import { InputError } from '../errors';
import { cboeContract, osiReader } from './osi';
import { VENUES } from '../venues';

interface CboeData {
  current_price?: unknown;
  options?: unknown;
}

/** Whether a parsed JSON document is a Cboe delayed-quotes response, or only its inner `data` object. */
export function looksLikeCboeJson(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as { data?: CboeData; options?: unknown };
  return Array.isArray(d.data?.options) || Array.isArray(d.options);
}

/** The top-level `timestamp` is UTC, as `YYYY-MM-DD HH:MM:SS` (docs/methodology.md §2). */
function readTimestamp(value: unknown, origin: string): number {
  if (typeof value !== 'string') {
    throw new InputError(
      `${origin}: the chain has no snapshot time (no top-level "timestamp"); pass --as-of with the snapshot instant, e.g. --as-of 2022-04-01T20:00:00Z`,
    );
  }
  const t = DateTime.fromISO(value.trim().replace(' ', 'T'), { zone: 'UTC' });
  if (!t.isValid) {
    throw new InputError(
      `${origin}: "timestamp" ${JSON.stringify(value)} is not a date and time; pass --as-of`,
    );
  }
  return t.toMillis();
}

/**
 * The underlying's last trade, written in New York local time (`2025-06-06T16:00:00`): a file downloaded on
 * a Sunday carries Friday's. Null when absent or unreadable: it only dates the session, it is not needed.
 */
function lastTrade(value: string | null | undefined): number | null {
  if (typeof value !== 'string') return null;
  const t = DateTime.fromISO(value.trim().replace(' ', 'T'), { zone: VENUES.cboe.zone });
  return t.isValid ? t.toMillis() : null;
}

/**
 * A Cboe delayed-quotes JSON document (already parsed) to a chain, after checking its shape. `source`, the
 * text it was parsed from, lets an error quote a number as written (`1e999`, which JSON.parse makes Infinity).
 */
export function parseCboeJson(doc: unknown, opts: ParseOptions, source?: string): OptionChain {
  const { origin } = opts;
  if (!looksLikeCboeJson(doc)) throw new InputError(`${origin}: not a Cboe delayed-quotes response`);
  const { cboeData, checked } = jsonSchemas();
  const top = doc as { timestamp?: unknown; data?: CboeData };
  const prefix = top.data ? 'data' : '';
  const format = 'Cboe delayed-quotes response';
  const data = checked(cboeData, top.data ?? top, { origin, format, prefix, source });
  const asOf = snapshotInstant(opts, '"timestamp"', () => readTimestamp(top.timestamp, origin));
  const spot = requireSpot(data.current_price, origin, `${prefix ? 'data.' : ''}current_price (spot)`);
  const rows = `${prefix ? 'data.' : ''}options`;
  const contracts = new ChainContracts(origin, 'cboe', (i) => `${rows}[${i}]`);
  const osi = osiReader();
  for (let i = 0; i < data.options.length; i++) {
    const row = data.options[i]!;
    const series = osi(row.option);
    if (series === null) {
      throw new InputError(
        `${origin}: ${rows}[${i}].option ${JSON.stringify(row.option)} is not an OSI option symbol`,
      );
    }
    const quote = {
      openInterest: row.open_interest ?? NaN,
      iv: row.iv ?? NaN,
      gamma: row.gamma ?? NaN,
      bid: row.bid ?? NaN,
      ask: row.ask ?? NaN,
    };
    contracts.add(cboeContract(series, quote, spot), i);
  }
  const symbol = contracts.symbol(opts);
  const chain: OptionChain = {
    symbol,
    source: 'cboe',
    venue: 'cboe',
    asOf,
    spot,
    contracts: contracts.contracts,
  };
  const traded = lastTrade(data.last_trade_time);
  if (traded !== null) chain.quoteTime = traded;
  return chain;
}
