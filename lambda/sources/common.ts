import type { OptionContract } from '../types';
import { InputError } from './errors';

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
  if (found.length === 1) return found[0] as string;
  throw new InputError(
    `${opts.origin}: the chain holds several underlyings (${found.join(', ')}); pass --symbol to name one`,
  );
}

export function requirePositive(value: number, origin: string, field: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InputError(`${origin}: ${field} is not a positive number (got ${String(value)})`);
  }
  return value;
}

export function requireContracts(contracts: readonly OptionContract[], origin: string): void {
  if (contracts.length === 0) throw new InputError(`${origin}: the chain has no option contracts`);
}

/** JSON.parse with an error that names the file or URL. */
export function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${origin}: invalid JSON (${(e as Error).message})`);
  }
}
