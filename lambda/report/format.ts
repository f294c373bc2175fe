import { DateTime } from 'luxon';
import type { SourceKind } from '../types';

/** Display formatting only: the JSON record keeps raw numbers. */

const MINUS = '\u2212';

function signed(n: number, body: string): string {
  if (n > 0) return `+${body}`;
  if (n < 0) return `${MINUS}${body}`;
  return body;
}

/**
 * One formatter per pattern, made once: `toLocaleString` with options builds a new Intl.NumberFormat on every
 * call, and a page formats a few thousand numbers.
 */
const FIXED = new Map<number, Intl.NumberFormat>();

function fixed(n: number, digits: number): string {
  let f = FIXED.get(digits);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    FIXED.set(digits, f);
  }
  return f.format(n);
}

const STRIKE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const COUNT = new Intl.NumberFormat('en-US');

/** Dollar amounts in human units: `+$1.94tn`, `+$16.1bn`, `−$402.5m`, `+$850k`. */
export function formatUsd(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e12) return signed(n, `$${fixed(a / 1e12, 2)}tn`);
  if (a >= 1e9) return signed(n, `$${fixed(a / 1e9, 1)}bn`);
  if (a >= 1e6) return signed(n, `$${fixed(a / 1e6, 1)}m`);
  if (a >= 1e3) return signed(n, `$${fixed(a / 1e3, 1)}k`);
  return signed(n, `$${fixed(a, 0)}`);
}

/** A dollar amount without its sign, for sentences that say the direction in words: `$16.1bn`. */
export function formatAmount(n: number): string {
  return formatUsd(Math.abs(n)).replace(/^\+/, '');
}

/**
 * A price level with thousands separators, two decimals and at least four significant digits: `4,505.10`,
 * `142.10`, `1.776` (XRP_USDC), `0.05123`; two decimals would show a $1.78 coin's flip to two digits.
 */
export function formatPrice(n: number | null): string {
  if (n === null) return '—';
  const magnitude = Math.floor(Math.log10(Math.abs(n)));
  return fixed(n, n === 0 ? 2 : Math.min(8, Math.max(2, 3 - magnitude)));
}

/** A strike as listed: `4,500`, `72,250`, `0.625`, `1.8125`. */
export function formatStrike(n: number | null): string {
  return n === null ? '—' : STRIKE.format(n);
}

/** A signed price difference: `+262.27`, `−3,589.04`. */
export function formatSigned(n: number): string {
  return signed(n, fixed(Math.abs(n), 2));
}

/** A signed percentage: `+0.24%`, `−1.50%`. */
export function formatPct(n: number | null, digits = 2): string {
  return n === null ? '—' : signed(Number(n.toFixed(digits)), `${fixed(Math.abs(n), digits)}%`);
}

/** An unsigned percentage: `9.83%`. */
export function formatPercent(n: number, digits = 2): string {
  return `${fixed(n, digits)}%`;
}

/**
 * The distance to the flip in the one convention used everywhere (docs/methodology.md §6): the record's
 * (spot − flip) / spot, signed as it is, with the words that read it. `+0.24% (spot above the flip)`.
 */
export function formatFlipDistance(distancePct: number | null): string {
  if (distancePct === null) return '—';
  const where = distancePct > 0 ? 'above' : distancePct < 0 ? 'below' : 'at';
  return `${formatPct(distancePct)} (spot ${where} the flip)`;
}

/**
 * How far ahead an expected move looks (docs/methodology.md §10): `40 min`, `2 h`, `23 h`, `2.2 d`, `31 d`.
 * Hours up to two days, where a move to the close and a move to tomorrow would otherwise read alike.
 */
export function formatHorizon(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  const days = hours / 24;
  return days < 10 ? `${fixed(days, 1)} d` : `${Math.round(days)} d`;
}

export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** `1 underlying`, `3 underlyings`: a count with its word. */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** How many venues a crypto book sums, shown beside its name (`2 venues`); null for a Cboe underlying. */
export function venueCount(n: number | null | undefined): string | null {
  return n === null || n === undefined ? null : plural(n, 'venue', 'venues');
}

/** An instant in a zone with its abbreviation: `2023-09-14 16:31 EDT`. */
export function formatInstant(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'UTC' })
    .setZone(zone)
    .toFormat('yyyy-MM-dd HH:mm ZZZZ', { locale: 'en-US' });
}

export const SOURCE_NAMES: Record<SourceKind, string> = {
  cboe: 'Cboe delayed quotes (JSON)',
  'cboe-csv': 'Cboe delayed quotes (CSV download)',
  deribit: 'Deribit public API (book summary)',
  bybit: 'Bybit public API (option tickers)',
  okx: 'OKX public API (option summary, open interest, index)',
  binance: 'Binance public API (options exchange info, mark, index, open interest)',
};
