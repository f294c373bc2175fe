import { DateTime } from 'luxon';
import type { OptionChain, OptionContract } from '../types';
import {
  chainSymbol,
  num,
  requireInstant,
  requireSpot,
  validateContracts,
  type ParseOptions,
} from './common';
import { InputError } from '../errors';
import { cboeContract, parseOsi } from './osi';
import { cboeData, checked } from './schemas';

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
  return requireInstant(t.toMillis(), origin, '"timestamp"');
}

/** A Cboe delayed-quotes JSON document (already parsed) to a chain, after checking its shape. */
export function parseCboeJson(doc: unknown, opts: ParseOptions): OptionChain {
  if (!looksLikeCboeJson(doc)) throw new InputError(`${opts.origin}: not a Cboe delayed-quotes response`);
  const top = doc as { timestamp?: unknown; data?: CboeData };
  const data = top.data
    ? checked(cboeData, top.data, opts.origin, 'Cboe delayed-quotes response', 'data')
    : checked(cboeData, top, opts.origin, 'Cboe delayed-quotes response');
  const asOf = opts.asOf ?? readTimestamp(top.timestamp, opts.origin);
  const spot = requireSpot(data.current_price, opts.origin, 'data.current_price (spot)');
  const contracts: OptionContract[] = data.options.map((row, i) => {
    const osi = parseOsi(row.option);
    if (!osi) {
      throw new InputError(
        `${opts.origin}: data.options[${i}].option ${JSON.stringify(row.option)} is not an OSI option symbol`,
      );
    }
    return cboeContract(
      osi,
      { openInterest: num(row.open_interest), iv: num(row.iv), vendorGamma: num(row.gamma) },
      spot,
    );
  });
  validateContracts(contracts, opts.origin);
  return { symbol: chainSymbol(contracts, opts), source: 'cboe', venue: 'cboe', asOf, spot, contracts };
}
