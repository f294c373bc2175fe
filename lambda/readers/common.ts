import { parse, type Options } from 'csv-parse/sync';
import type { OptionContract } from '../types';
import { InputError } from '../errors';
import { SYMBOL } from '../venues';

/** What a parser needs besides the text: a name for messages, and the user's overrides. */
export interface ParseOptions {
  /** File path or URL, used in every error message. */
  origin: string;
  /** Snapshot instant (epoch ms) that replaces the one in the data (`--as-of`). */
  asOf?: number;
  /** Underlying symbol that replaces the one derived from the data (`--symbol`). */
  symbol?: string;
}

/** A number from a JSON value or CSV cell; absent, empty or unreadable values become NaN. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}

/** The one underlying all contracts share, or the override; several without an override is an error. */
export function chainSymbol(contracts: readonly OptionContract[], opts: ParseOptions): string {
  if (opts.symbol) return opts.symbol;
  const found = [...new Set(contracts.map((c) => c.underlying))].sort();
  if (found.length !== 1) {
    throw new InputError(
      `${opts.origin}: the chain holds several underlyings (${found.join(', ')}); pass --symbol to name one`,
    );
  }
  const symbol = found[0] as string;
  if (!SYMBOL.test(symbol)) {
    throw new InputError(
      `${opts.origin}: the underlying ${JSON.stringify(symbol)} is not a ticker symbol; pass --symbol to name it`,
    );
  }
  return symbol;
}

/** A spot price: positive and within what a market quotes (1e-6 to 1e9). */
export function requireSpot(value: number, origin: string, field: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InputError(`${origin}: ${field} is not a positive number (got ${String(value)})`);
  }
  if (value < 1e-6 || value > 1e9)
    throw new InputError(`${origin}: ${field} ${value} is beyond any real market`);
  return value;
}

const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** A snapshot instant between 2000 and 2100: anything else is a corrupt timestamp. */
export function requireInstant(ms: number, origin: string, field: string): number {
  if (!(ms >= EARLIEST && ms < LATEST)) {
    throw new InputError(`${origin}: ${field} ${ms} is not a date between 2000 and 2100; pass --as-of`);
  }
  return ms;
}

/** No listed chain comes near this many contracts (a full SPX chain holds about 30,000). */
export const MAX_CONTRACTS = 250_000;
/** Why a chain's count of contracts is refused, the same from the JSON schemas and from the CSV readers. */
export const COUNT_PROBLEMS = {
  none: 'the chain has no option contracts',
  tooMany: `more than ${MAX_CONTRACTS} contracts: not a real chain`,
} as const;

/** No listed option comes near these; a larger number is a corrupt feed, not a market. */
const LIMITS = { strike: 1e9, openInterest: 1e9, forward: 1e9 } as const;

/**
 * A chain must hold 1 to MAX_CONTRACTS contracts, and every finite number must be within what a market can
 * show (missing values stay NaN for the filters to count). Named by contract and field.
 */
export function validateContracts(contracts: readonly OptionContract[], origin: string): void {
  if (contracts.length === 0) throw new InputError(`${origin}: ${COUNT_PROBLEMS.none}`);
  if (contracts.length > MAX_CONTRACTS) {
    throw new InputError(`${origin}: ${contracts.length} contracts: ${COUNT_PROBLEMS.tooMany}`);
  }
  for (const c of contracts) {
    for (const field of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
      const v = c[field];
      if (Math.abs(v) > LIMITS[field]) {
        throw new InputError(
          `${origin}: ${field} ${v} of the ${c.root} ${c.type} ${c.strike} is beyond any real market (limit ${LIMITS[field]})`,
        );
      }
    }
  }
}

/** csv-parse with its errors reported as bad input, naming the file. */
export function parseCsv<T>(text: string, origin: string, options: Options): T[] {
  try {
    return parse(text, options) as T[];
  } catch (e) {
    throw new InputError(`${origin}: malformed CSV (${(e as Error).message})`);
  }
}

/** JSON.parse with an error that names the file or URL. */
export function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${origin}: invalid JSON (${(e as Error).message})`);
  }
}
