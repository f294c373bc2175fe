import type { OptionChain } from '../types';
import { parseCboeDate } from './cboe-date';
import { ChainContracts, requireSpot, snapshotInstant, type ParseOptions } from './common';
import { csvTable, plainNumber } from './csv';
import { InputError } from '../errors';
import { cboeContract, osiReader } from './osi';

const HEADER = /^"?Expiration Date"?\s*,/;
/** Downloads vary in their first lines: the header is found by content among the first few. */
const PREAMBLE_LINES = 40;

interface Line {
  text: string;
  /** From 1. */
  number: number;
  /** Offset of its first character in the file. */
  start: number;
}

/** The lines before the chain's column header, and the header line itself (null when there is none). */
function preamble(text: string): { before: Line[]; header: Line | null } {
  const before: Line[] = [];
  for (let start = 0, number = 1; start < text.length && number <= PREAMBLE_LINES; number++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = { text: text.slice(start, end).replace(/\r$/, ''), number, start };
    if (HEADER.test(line.text)) return { before, header: line };
    before.push(line);
    start = end + 1;
  }
  return { before, header: null };
}

/** Whether a text is a Cboe "Download CSV" of a chain. */
export function looksLikeCboeCsv(text: string): boolean {
  return preamble(text).header !== null;
}

interface SideColumns {
  symbol: number;
  iv: number;
  gamma: number;
  openInterest: number;
  bid: number;
  ask: number;
}

/**
 * Call and put columns share names; each side's are the named columns after its `Calls`/`Puts` column (up to
 * `Strike` for calls). A name found twice on one side is refused: which one holds the numbers is a guess.
 */
function sideColumns(header: readonly string[], side: 'Calls' | 'Puts', origin: string): SideColumns {
  const symbol = header.indexOf(side);
  const end = side === 'Calls' ? header.indexOf('Strike') : header.length;
  const onSide = (i: number) => i > symbol && (end < 0 || i < end);
  const find = (name: string): number => {
    const i = header.indexOf(name, symbol + 1);
    if (symbol < 0 || i < 0 || !onSide(i)) {
      throw new InputError(`${origin}: the header has no "${name}" column for ${side.toLowerCase()}`);
    }
    const again = header.indexOf(name, i + 1);
    if (again >= 0 && onSide(again)) {
      throw new InputError(
        `${origin}: the header has "${name}" twice for ${side.toLowerCase()} (columns ${i + 1} and ${again + 1})`,
      );
    }
    return i;
  };
  if (header.indexOf(side, symbol + 1) >= 0) {
    throw new InputError(`${origin}: the header has "${side}" twice`);
  }
  return {
    symbol,
    iv: find('IV'),
    gamma: find('Gamma'),
    openInterest: find('Open Interest'),
    bid: find('Bid'),
    ask: find('Ask'),
  };
}

/**
 * The spot on the `Last:` line: the value runs to the next `Label:` cell, so a decimal comma (`4.505,10`) is
 * seen whole and refused rather than read as 4.505.
 */
function readSpot(before: readonly Line[], origin: string): number {
  const line = before.find((l) => l.text.includes('Last:'));
  const field = 'the "Last:" value (spot) before the header';
  if (line === undefined) return requireSpot(NaN, origin, field);
  const value = /Last:\s*([^,]*(?:,(?!\s*[A-Za-z][A-Za-z ]*:)[^,]*)*)/.exec(line.text.replace(/"/g, ''))![1]!;
  const spot = plainNumber(value.trim());
  if (spot === null) {
    throw new InputError(
      `${origin}: line ${line.number}, "Last: ${value.trim()}": the spot is not a plain number`,
    );
  }
  return requireSpot(spot, origin, field);
}

/** The snapshot instant on the `Date:` line, in the forms parseCboeDate reads. */
function readDate(before: readonly Line[], origin: string): { field: string; instant: number } {
  const line = before.find((l) => l.text.includes('Date:'));
  const dateText =
    line === undefined
      ? null
      : (/Date:\s*(.*?)(?:,\s*(?:Bid|Ask|Size|Volume):.*)?$/.exec(line.text.replace(/"/g, ''))?.[1] ?? '');
  const instant = dateText === null ? null : parseCboeDate(dateText);
  const where = line === undefined ? 'there is no "Date:" line' : `line ${line.number}, "Date: ${dateText}"`;
  if (instant === null) {
    throw new InputError(
      `${origin}: ${where}${line === undefined ? '' : ', cannot be read'}; pass --as-of with the snapshot instant, e.g. --as-of 2023-09-14T20:31:00Z`,
    );
  }
  return { field: where, instant };
}

/** A Cboe "Download CSV" (one row per expiry and strike, call and put side by side) to a chain. */
export function parseCboeCsv(text: string, opts: ParseOptions): OptionChain {
  const { origin } = opts;
  const { before, header } = preamble(text);
  if (header === null) throw new InputError(`${origin}: no "Expiration Date,Calls,..." header line`);
  const spot = readSpot(before, origin);
  const date = opts.asOf === undefined ? readDate(before, origin) : null;
  const asOf = snapshotInstant(opts, date?.field ?? '', () => date!.instant);

  const table = csvTable(text, header.start, header.number, origin);
  const sides = [sideColumns(table.header, 'Calls', origin), sideColumns(table.header, 'Puts', origin)];
  const contracts = new ChainContracts(origin, 'cboe', (line) => `line ${line}`);
  const osi = osiReader();
  table.forEachRow((row) => {
    for (const side of sides) {
      const symbol = row.cell(side.symbol);
      if (symbol.trim() === '') continue;
      const series = osi(symbol);
      if (series === null) {
        throw new InputError(
          `${origin}: line ${row.line}, column ${side.symbol + 1}: ${JSON.stringify(symbol.trim())} is not an OSI option symbol`,
        );
      }
      const quote = {
        openInterest: row.number(side.openInterest, 'nonNegative'),
        iv: row.number(side.iv, 'nonNegative'),
        gamma: row.number(side.gamma, 'any'),
        bid: row.number(side.bid, 'nonNegative'),
        ask: row.number(side.ask, 'nonNegative'),
      };
      contracts.add(cboeContract(series, quote, spot), row.line);
    }
  });
  const symbol = contracts.symbol(opts);
  return { symbol, source: 'cboe-csv', venue: 'cboe', asOf, spot, contracts: contracts.contracts };
}
