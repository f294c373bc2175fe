import type { OptionChain, OptionContract } from '../types';
import {
  chainSymbol,
  num,
  parseCsv,
  requireInstant,
  requireSpot,
  validateContracts,
  type ParseOptions,
} from './common';
import { InputError } from '../errors';
import { checked, deribitResult, rpcError } from './schemas';
import { expiryInstant, VENUES } from '../venues';

/** The book-summary fields the product reads, as in the JSON-RPC response and its CSV copies. */
export interface DeribitSummary {
  instrument_name?: unknown;
  open_interest?: unknown;
  mark_iv?: unknown;
  underlying_price?: unknown;
  estimated_delivery_price?: unknown;
  creation_timestamp?: unknown;
  base_currency?: unknown;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** `BTC-27DEC24-50000-C`: day not zero-padded; a decimal strike is written with `d` (`0d625`). */
const INSTRUMENT =
  /^(?<base>[A-Z0-9]+)(?:_[A-Z]+)?-(?<dd>\d{1,2})(?<mon>[A-Z]{3})(?<yy>\d{2})-(?<strike>\d+(?:d\d+)?)-(?<cp>[CP])$/;

interface Instrument {
  base: string;
  strike: number;
  type: OptionContract['type'];
  /** The settlement instant of the named date (08:00 UTC). */
  expiry: number;
}

export function parseInstrument(name: string): Instrument | null {
  const g = INSTRUMENT.exec(name)?.groups;
  if (!g) return null;
  const { base, dd, mon, yy, strike, cp } = g as Record<
    'base' | 'dd' | 'mon' | 'yy' | 'strike' | 'cp',
    string
  >;
  const month = MONTHS.indexOf(mon);
  const day = Number(dd);
  const year = 2000 + Number(yy);
  if (month < 0) return null;
  const expiry = expiryInstant('deribit', base, year, month + 1, day);
  if (!Number.isFinite(expiry)) return null;
  return { base, strike: Number(strike.replace('d', '.')), type: cp === 'C' ? 'call' : 'put', expiry };
}

/** Whether a parsed JSON document is a Deribit `get_book_summary_by_currency` response. */
export function looksLikeDeribitJson(doc: unknown): boolean {
  const result = (doc as { result?: unknown } | null)?.result;
  return Array.isArray(result) && (result.length === 0 || typeof result[0]?.instrument_name === 'string');
}

/** Whether a text is a CSV copy of the Deribit book summary. */
export function looksLikeDeribitCsv(text: string): boolean {
  const first = text.slice(0, text.indexOf('\n') >>> 0).split(',');
  return first.includes('instrument_name') && first.includes('mark_iv');
}

/** Deribit book-summary rows to a chain: spot is the index, asOf the latest row's creation time. */
export function deribitChain(rows: readonly DeribitSummary[], opts: ParseOptions): OptionChain {
  let latest = -Infinity;
  let spot = NaN;
  const contracts: OptionContract[] = rows.map((row, i) => {
    const name = String(row.instrument_name ?? '');
    const inst = parseInstrument(name);
    if (!inst)
      throw new InputError(`${opts.origin}: row ${i + 1}: ${JSON.stringify(name)} is not a Deribit option`);
    const created = num(row.creation_timestamp);
    if (created > latest) {
      latest = created;
      spot = num(row.estimated_delivery_price);
    }
    return {
      underlying: typeof row.base_currency === 'string' && row.base_currency ? row.base_currency : inst.base,
      root: inst.base,
      type: inst.type,
      strike: inst.strike,
      expiry: inst.expiry,
      openInterest: num(row.open_interest),
      iv: num(row.mark_iv) / 100,
      multiplier: VENUES.deribit.multiplier,
      forward: num(row.underlying_price),
    };
  });
  validateContracts(contracts, opts.origin);
  let asOf = opts.asOf;
  if (asOf === undefined) {
    if (!Number.isFinite(latest)) {
      throw new InputError(
        `${opts.origin}: no row has a creation_timestamp; pass --as-of with the snapshot instant`,
      );
    }
    asOf = requireInstant(latest, opts.origin, 'creation_timestamp');
  }
  requireSpot(spot, opts.origin, 'estimated_delivery_price (the index, spot)');
  return { symbol: chainSymbol(contracts, opts), source: 'deribit', venue: 'deribit', asOf, spot, contracts };
}

/** The JSON-RPC response (already parsed) to a chain after checking its shape; an RPC error is reported. */
export function parseDeribitJson(doc: unknown, opts: ParseOptions): OptionChain {
  const answer = rpcError.safeParse(doc);
  if (answer.success) {
    const { code, message } = answer.data.error;
    throw new InputError(`${opts.origin}: Deribit answered error ${String(code)}: ${String(message)}`);
  }
  if (!looksLikeDeribitJson(doc)) throw new InputError(`${opts.origin}: not a Deribit book-summary response`);
  return deribitChain(checked(deribitResult, doc, opts.origin, 'Deribit book summary').result, opts);
}

export function parseDeribitCsv(text: string, opts: ParseOptions): OptionChain {
  const rows = parseCsv<DeribitSummary>(text, opts.origin, {
    columns: true,
    skip_empty_lines: true,
    relax_column_count: true,
  });
  return deribitChain(rows, opts);
}
