import { DateTime } from 'luxon';
import type { SourceKind } from '../types';

/** Display formatting only: the JSON record keeps raw numbers. */

const MINUS = '\u2212';

function signed(n: number, body: string): string {
  if (n > 0) return `+${body}`;
  if (n < 0) return `${MINUS}${body}`;
  return body;
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Dollar gamma in human units: `+$16.1bn`, `−$402.5m`, `+$850k`. */
export function formatUsd(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return signed(n, `$${fixed(a / 1e9, 1)}bn`);
  if (a >= 1e6) return signed(n, `$${fixed(a / 1e6, 1)}m`);
  if (a >= 1e3) return signed(n, `$${fixed(a / 1e3, 1)}k`);
  return signed(n, `$${fixed(a, 0)}`);
}

/** A price level with thousands separators and two decimals: `4,505.10`. */
export function formatPrice(n: number | null): string {
  return n === null ? '—' : fixed(n, 2);
}

/** A strike as listed: `4,500`, `72,250`, `0.625`. */
export function formatStrike(n: number | null): string {
  return n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** A signed percentage: `+0.24%`, `−1.50%`. */
export function formatPct(n: number | null, digits = 2): string {
  return n === null ? '—' : signed(Number(n.toFixed(digits)), `${fixed(Math.abs(n), digits)}%`);
}

/**
 * Where the flip lies relative to spot, in words: the record's distancePct is (spot − flip) / spot, so a
 * positive distance means the flip is below spot. `0.24% below spot`.
 */
export function formatFlipDistance(distancePct: number | null): string {
  if (distancePct === null) return '—';
  const size = `${fixed(Math.abs(distancePct), 2)}%`;
  return distancePct > 0 ? `${size} below spot` : distancePct < 0 ? `${size} above spot` : 'at spot';
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
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
};
