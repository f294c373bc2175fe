import { DateTime } from 'luxon';
import type { OptionChain, OptionContract } from '../types';
import {
  ChainContracts,
  COUNT_PROBLEMS,
  median,
  requireSpot,
  snapshotInstant,
  type ParseOptions,
} from './common';
import { columnsByName, csvTable, type CsvRow } from './csv';
import { parseInstrument } from './deribit';
import { InputError } from '../errors';
import { dateInZone, VENUES } from '../venues';

/**
 * The Deribit snapshot CSV (docs/methodology.md §1, §2): one row per option of both coins at one instant, as
 * collected from Deribit's public API by a third party. Columns by name, in any order.
 */
const REQUIRED = [
  'timestamp',
  'instrument_name',
  'currency',
  'expiry_datetime',
  'futures_price',
  'implied_volatility',
  'open_interest',
  'index_price',
] as const;
/** `underlying` stands in for an empty `futures_price`; the quotes only check the spot (§3). */
const OPTIONAL = ['underlying', 'bid_price', 'ask_price'] as const;

/**
 * Rows of one snapshot are written within seconds of each other; rows further apart than this are two
 * snapshots run together (or a damaged timestamp), whose open interest must not be added up
 * (docs/methodology.md §3).
 */
export const MAX_ROW_SPREAD_MS = 15 * 60 * 1000;

/** An instant written with a date and a time of day (`2025-12-30T21:17:51.988211+00:00`); no offset is UTC. */
const INSTANT = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/;

/** Whether a text is a Deribit snapshot CSV: its header names the instrument, the decimal IV and the index. */
export function looksLikeDeribitSnapshot(text: string): boolean {
  const first = text.slice(0, text.indexOf('\n') >>> 0).split(',');
  return ['instrument_name', 'implied_volatility', 'index_price'].every((name) => first.includes(name));
}

/** What is read of one currency's rows: its contracts, index prints, row times and the latest of them. */
interface Book {
  contracts: ChainContracts;
  index: number[];
  times: number[];
  latest: number;
}

/**
 * A Deribit snapshot CSV to one chain per currency, sorted by symbol (docs/methodology.md §1, §2): spot is the
 * median `index_price` of that currency's rows, asOf its latest `timestamp` (and the median, the instant whose
 * age counts), each contract's forward its `futures_price` or, where that cell is empty, its `underlying`.
 * A row whose currency is not its instrument's, an expiry that is not the instrument's date, an instant that
 * cannot be read, or rows more than MAX_ROW_SPREAD_MS apart refuse the whole file.
 */
export function parseDeribitSnapshot(text: string, opts: ParseOptions): OptionChain[] {
  const { origin } = opts;
  const table = csvTable(text, 0, 1, origin);
  const col = columnsByName(table, origin, REQUIRED, OPTIONAL);
  const instants = new Map<string, number>();
  const refuse = (row: CsvRow, column: number, problem: string) =>
    new InputError(
      `${origin}: line ${row.line}, column ${column + 1} (${table.header[column]}): ${JSON.stringify(row.cell(column).trim())} ${problem}`,
    );
  /** A cell's instant (epoch ms), NaN when empty; read once per distinct text (a file repeats a few). */
  const instant = (row: CsvRow, column: number): number => {
    const text = row.cell(column).trim();
    let ms = instants.get(text);
    if (ms === undefined) {
      ms = text === '' ? NaN : INSTANT.test(text) ? DateTime.fromISO(text, { zone: 'UTC' }).toMillis() : NaN;
      if (text !== '' && Number.isNaN(ms)) throw refuse(row, column, 'is not an ISO 8601 instant');
      instants.set(text, ms);
    }
    return ms;
  };
  const books = new Map<string, Book>();
  const spread = { first: { ms: Infinity, line: 0 }, last: { ms: -Infinity, line: 0 } };
  const zone = VENUES.deribit.zone;
  const optional = (row: CsvRow, column: number) =>
    column < 0 ? NaN : row.number(column, column === col.underlying ? 'positive' : 'nonNegative');

  table.forEachRow((row) => {
    const name = row.cell(col.instrument_name).trim();
    const inst = parseInstrument(name);
    if (!inst) throw refuse(row, col.instrument_name, 'is not a Deribit option');
    const currency = row.cell(col.currency).trim();
    if (currency !== inst.base) {
      throw refuse(row, col.currency, `disagrees with the instrument ${name}, a ${inst.base} option`);
    }
    const expiry = instant(row, col.expiry_datetime);
    if (Number.isNaN(expiry) || dateInZone(expiry, zone) !== dateInZone(inst.expiry, zone)) {
      throw refuse(row, col.expiry_datetime, `is not the expiry date of ${name}`);
    }
    const time = instant(row, col.timestamp);
    let book = books.get(currency);
    if (book === undefined) {
      book = {
        contracts: new ChainContracts(origin, 'deribit', (line) => `line ${line}`),
        index: [],
        times: [],
        latest: -Infinity,
      };
      books.set(currency, book);
    }
    if (!Number.isNaN(time)) {
      book.times.push(time);
      book.latest = Math.max(book.latest, time);
      if (time < spread.first.ms) spread.first = { ms: time, line: row.line };
      if (time > spread.last.ms) spread.last = { ms: time, line: row.line };
    }
    const index = row.number(col.index_price, 'positive');
    if (!Number.isNaN(index)) book.index.push(index);
    const futures = row.number(col.futures_price, 'positive');
    const contract: OptionContract = {
      underlying: inst.base,
      root: inst.base,
      type: inst.type,
      strike: inst.strike,
      expiry,
      openInterest: row.number(col.open_interest, 'nonNegative'),
      iv: row.number(col.implied_volatility, 'nonNegative'),
      multiplier: VENUES.deribit.multiplier,
      forward: Number.isNaN(futures) ? optional(row, col.underlying) : futures,
      bid: optional(row, col.bid_price),
      ask: optional(row, col.ask_price),
    };
    book.contracts.add(contract, row.line);
  });

  if (spread.last.ms - spread.first.ms > MAX_ROW_SPREAD_MS) {
    const { first, last } = spread;
    const minutes = Math.round((last.ms - first.ms) / 60000);
    throw new InputError(
      `${origin}: the timestamps of line ${first.line} (${new Date(first.ms).toISOString()}) and line ${last.line} (${new Date(last.ms).toISOString()}) are ${minutes} minutes apart, where the rows of one snapshot are at most ${MAX_ROW_SPREAD_MS / 60000} minutes apart`,
    );
  }
  if (books.size > 1 && opts.symbol !== undefined) {
    throw new InputError(
      `${origin}: the file holds ${[...books.keys()].sort().join(' and ')} chains; --symbol names one chain and cannot rename both`,
    );
  }
  if (books.size === 0) throw new InputError(`${origin}: ${COUNT_PROBLEMS.none}`);
  return [...books.keys()].sort().map((currency) => {
    const book = books.get(currency)!;
    const asOf = snapshotInstant(opts, `the latest ${currency} timestamp`, () => {
      if (book.times.length === 0) {
        throw new InputError(
          `${origin}: no ${currency} row has a timestamp; pass --as-of with the snapshot instant`,
        );
      }
      return book.latest;
    });
    const spot = requireSpot(
      median(book.index),
      origin,
      `the median index_price of the ${currency} rows (spot)`,
    );
    return {
      symbol: book.contracts.symbol(opts),
      source: 'deribit',
      venue: 'deribit',
      asOf,
      spot,
      contracts: book.contracts.contracts,
      ageAsOf: opts.asOf === undefined ? median(book.times) : asOf,
    };
  });
}
