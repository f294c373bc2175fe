import type { OptionChain, OptionContract } from '../types';
import { IndexedChain, jsonSchemas, type ParseOptions } from './common';
import { columnsByName, csvTable, type CsvRow } from './csv';
import { InputError } from '../errors';
import { expiryInstant, linearBook, VENUES, type Venue } from '../venues';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** `BTC-27DEC24-50000-C`: day not zero-padded; a decimal strike is written with `d` (`0d625`). */
const INSTRUMENT =
  /^(?<base>[A-Z0-9]+)(?:_(?<linear>[A-Z]+))?-(?<dd>\d{1,2})(?<mon>[A-Z]{3})(?<yy>\d{2})-(?<strike>\d+(?:d\d+)?)-(?<cp>[CP])$/;

export interface Instrument {
  base: string;
  /** The currency its price is quoted and settled in: the base for inverse options, USDC for `_USDC` ones. */
  quote: string;
  strike: number;
  type: OptionContract['type'];
  /** The settlement instant of the named date (08:00 UTC). */
  expiry: number;
}

/**
 * An instrument name's parts (`BTC-27DEC24-50000-C`), or null when it names no option of the venue: Deribit's,
 * or another venue's that names its options the same way (Bybit).
 */
export function parseInstrument(name: string, venue: Venue = 'deribit'): Instrument | null {
  const g = INSTRUMENT.exec(name)?.groups;
  if (!g) return null;
  const { base, linear, dd, mon, yy, strike, cp } = g as Record<
    'base' | 'linear' | 'dd' | 'mon' | 'yy' | 'strike' | 'cp',
    string | undefined
  > as Record<'base' | 'dd' | 'mon' | 'yy' | 'strike' | 'cp', string> & { linear?: string };
  const month = MONTHS.indexOf(mon);
  const day = Number(dd);
  const year = 2000 + Number(yy);
  if (month < 0) return null;
  const expiry = expiryInstant(venue, base, year, month + 1, day);
  if (!Number.isFinite(expiry)) return null;
  return {
    base,
    quote: linear ?? base,
    strike: Number(strike.replace('d', '.')),
    type: cp === 'C' ? 'call' : 'put',
    expiry,
  };
}

/**
 * The underlying an instrument's contracts belong to: its coin for an inverse option (`BTC`), its book for a
 * linear one (`SOL_USDC`), whose premium, forward and settlement are in that currency (docs/methodology.md §17).
 */
function bookOf(inst: Instrument): string {
  return inst.quote === inst.base ? inst.base : `${inst.base}_${inst.quote}`;
}

/** The coin an `underlying_index` names (`BTC-27DEC24`, `SYN.BTC-27DEC24`, `SOL_USDC-…`), or null (`index_price`). */
function indexCoin(index: string): string | null {
  return /^(?:SYN\.)?([A-Z0-9]+)(?:_[A-Z]+)?-/.exec(index)?.[1] ?? null;
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

/** A book-summary row as both formats give it once checked: a missing number is NaN. */
interface SummaryRow {
  instrument_name: string;
  open_interest: number;
  mark_iv: number;
  underlying_price: number;
  estimated_delivery_price: number;
  creation_timestamp: number;
  bid_price: number;
  ask_price: number;
  base_currency?: string;
  quote_currency?: string;
  underlying_index?: string;
}

/**
 * The fields of a row that name a currency must all agree with its instrument (docs/methodology.md §3): an
 * `ETH-…` name on a row whose index or currencies say BTC would publish BTC's book as ETH's.
 */
function disagreement(row: SummaryRow, inst: Instrument): string | null {
  const named = JSON.stringify(row.instrument_name);
  if (row.base_currency && row.base_currency !== inst.base)
    return `base_currency ${JSON.stringify(row.base_currency)} does not match the instrument ${named}`;
  if (row.quote_currency && row.quote_currency !== inst.quote)
    return `quote_currency ${JSON.stringify(row.quote_currency)} does not match the instrument ${named} (quoted in ${inst.quote})`;
  const coin = row.underlying_index ? indexCoin(row.underlying_index) : null;
  if (coin !== null && coin !== inst.base)
    return `underlying_index ${JSON.stringify(row.underlying_index)} does not match the instrument ${named}`;
  return null;
}

/**
 * Deribit book-summary rows to a chain, added one at a time as they are read (docs/methodology.md §1–§3): spot
 * is the median index (`estimated_delivery_price`) over the rows; asOf the latest row's creation time, and the
 * age a live answer is judged by its median row's. `place` names where a row was read.
 *
 * One answer holds every coin of a linear book's currency (`currency=USDC`: SOL_USDC, XRP_USDC…): when the chain
 * wanted (asked for live, or named with --symbol) is one of them, the other coins' rows of that currency are
 * left out, as rows of other chains; any other row still counts, so an answer for another book is refused by name.
 */
function deribitChain(opts: ParseOptions, place: (at: number) => string) {
  const { origin } = opts;
  const chain = new IndexedChain(opts, 'deribit', 'deribit', place, {
    time: 'creation_timestamp',
    index: 'estimated_delivery_price (the index, spot; the median over the rows)',
  });
  const wanted = opts.asked ?? opts.symbol;
  const wantedBook = wanted === undefined ? null : linearBook(wanted);
  /** The linear books read (kept or left out), for the messages. */
  const linear = new Set<string>();
  let kept = 0;
  return {
    add(row: SummaryRow, at: number): void {
      const name = row.instrument_name;
      const inst = parseInstrument(name);
      if (!inst)
        throw new InputError(`${origin}: ${place(at)}: ${JSON.stringify(name)} is not a Deribit option`);
      const problem = disagreement(row, inst);
      if (problem !== null) throw new InputError(`${origin}: ${place(at)}: ${problem}`);
      const book = bookOf(inst);
      if (inst.quote !== inst.base) {
        linear.add(book);
        if (wantedBook !== null && inst.quote === wantedBook.quote && book !== wanted) return;
      }
      kept++;
      const contract: OptionContract = {
        underlying: book,
        root: book,
        type: inst.type,
        strike: inst.strike,
        expiry: inst.expiry,
        openInterest: row.open_interest,
        iv: row.mark_iv / 100,
        multiplier: VENUES.deribit.multiplier,
        forward: row.underlying_price,
        bid: row.bid_price,
        ask: row.ask_price,
      };
      chain.add(contract, at, row.estimated_delivery_price, row.creation_timestamp);
    },
    chain: (): OptionChain => {
      const books = [...linear].sort().join(', ');
      if (wantedBook !== null && kept === 0 && linear.size > 0)
        throw new InputError(`${origin}: the answer holds no ${wanted} options (it holds ${books})`);
      // --symbol renames a chain; several linear books summed under one name would be no market's book.
      if (wanted !== undefined && wantedBook === null && linear.size > 1)
        throw new InputError(
          `${origin}: the answer holds several linear books (${books}); --symbol must name one of them to read it`,
        );
      return chain.chain();
    },
  };
}

/** The JSON-RPC response (already parsed) to a chain after checking its shape; an RPC error is reported. */
export function parseDeribitJson(doc: unknown, opts: ParseOptions, source?: string): OptionChain {
  const { rpcError, deribitResult, checked } = jsonSchemas();
  const answer = rpcError.safeParse(doc);
  if (answer.success) {
    const { code, message } = answer.data.error;
    throw new InputError(
      `${opts.origin}: Deribit answered error ${String(code)}: ${String(message).slice(0, 200)}`,
    );
  }
  if (!looksLikeDeribitJson(doc)) throw new InputError(`${opts.origin}: not a Deribit book-summary response`);
  const { result } = checked(deribitResult, doc, {
    origin: opts.origin,
    format: 'Deribit book summary',
    source,
  });
  const chain = deribitChain(opts, (i) => `result[${i}]`);
  result.forEach((row, i) =>
    chain.add(
      {
        instrument_name: row.instrument_name,
        open_interest: row.open_interest ?? NaN,
        mark_iv: row.mark_iv ?? NaN,
        underlying_price: row.underlying_price ?? NaN,
        estimated_delivery_price: row.estimated_delivery_price,
        creation_timestamp: row.creation_timestamp,
        bid_price: row.bid_price ?? NaN,
        ask_price: row.ask_price ?? NaN,
        base_currency: row.base_currency,
        quote_currency: row.quote_currency,
        underlying_index: row.underlying_index,
      },
      i,
    ),
  );
  return chain.chain();
}

/** The columns a CSV copy must have; a file without creation_timestamp needs --as-of. */
const REQUIRED = [
  'instrument_name',
  'open_interest',
  'mark_iv',
  'underlying_price',
  'estimated_delivery_price',
] as const;
/** The columns read when present: the age, the quotes and the currencies checked against the instrument. */
const OPTIONAL = [
  'creation_timestamp',
  'bid_price',
  'ask_price',
  'base_currency',
  'quote_currency',
  'underlying_index',
] as const;
/** Every column a CSV copy is read from; any other column is ignored. */
export const DERIBIT_CSV_COLUMNS: readonly string[] = [...REQUIRED, ...OPTIONAL];

/** A CSV copy of the book summary (one row per instrument, columns by name in any order). */
export function parseDeribitCsv(text: string, opts: ParseOptions): OptionChain {
  const { origin } = opts;
  const table = csvTable(text, 0, 1, origin);
  const columns = columnsByName(table, origin, REQUIRED, OPTIONAL);
  const {
    instrument_name: instrument,
    open_interest: openInterest,
    mark_iv: markIv,
    underlying_price: underlyingPrice,
    estimated_delivery_price: deliveryPrice,
    creation_timestamp: created,
    bid_price: bid,
    ask_price: ask,
    base_currency: base,
    quote_currency: quote,
    underlying_index: index,
  } = columns;
  const named = (at: number, row: CsvRow) => (at < 0 ? undefined : row.cell(at).trim());
  const chain = deribitChain(opts, (line) => `line ${line}`);
  table.forEachRow((row) =>
    chain.add(
      {
        instrument_name: row.cell(instrument).trim(),
        open_interest: row.number(openInterest, 'nonNegative'),
        mark_iv: row.number(markIv, 'nonNegative'),
        underlying_price: row.number(underlyingPrice, 'positive'),
        estimated_delivery_price: row.number(deliveryPrice, 'positive'),
        creation_timestamp: created < 0 ? NaN : row.number(created, 'any'),
        bid_price: bid < 0 ? NaN : row.number(bid, 'nonNegative'),
        ask_price: ask < 0 ? NaN : row.number(ask, 'nonNegative'),
        base_currency: named(base, row),
        quote_currency: named(quote, row),
        underlying_index: named(index, row),
      },
      row.line,
    ),
  );
  return chain.chain();
}
