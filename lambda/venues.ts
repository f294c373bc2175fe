import { DateTime } from 'luxon';
import type { Venue } from './types';

/** Underlyings Deribit lists inverse options on; every other symbol is looked up at Cboe. */
const DERIBIT_CURRENCIES = new Set(['BTC', 'ETH']);

export function isCrypto(symbol: string): boolean {
  return DERIBIT_CURRENCIES.has(symbol);
}

/** Where a symbol's live chain comes from. */
export function liveSource(symbol: string): Venue {
  return isCrypto(symbol) ? 'deribit' : 'cboe';
}

/** What differs between the two exchange families (METHODOLOGY §2, §4, §5). */
export interface VenueConventions {
  /** IANA zone whose calendar dates name expiries and report files. */
  zone: string;
  /** Half-width of the gamma profile around spot, as a fraction. */
  profileRange: number;
  /** Whether a calendar date (YYYY-MM-DD) is the venue's standard monthly expiry. */
  isMonthly(date: string): boolean;
  /** Minimum time to expiry applies alike; only Cboe takes configured r and q (Deribit's forward is quoted). */
  usesCarry: boolean;
}

const FRIDAY = 5;

/** Third Friday of the month: the standard monthly expiry of US listed options. */
export function isThirdFriday(date: string): boolean {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  return d.weekday === FRIDAY && d.day >= 15 && d.day <= 21;
}

/** Last Friday of the month: Deribit's monthly expiry. */
export function isLastFriday(date: string): boolean {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  return d.weekday === FRIDAY && d.plus({ days: 7 }).month !== d.month;
}

export const VENUES: Record<Venue, VenueConventions> = {
  cboe: { zone: 'America/New_York', profileRange: 0.2, isMonthly: isThirdFriday, usesCarry: true },
  deribit: { zone: 'UTC', profileRange: 0.3, isMonthly: isLastFriday, usesCarry: false },
};

/** The calendar date (YYYY-MM-DD) of an instant in a zone. */
export function dateInZone(instantMs: number, zone: string): string {
  const iso = DateTime.fromMillis(instantMs, { zone }).toISODate();
  if (iso === null) throw new Error(`invalid instant ${instantMs} or zone ${zone}`);
  return iso;
}
