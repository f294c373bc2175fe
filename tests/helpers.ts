import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseChainText } from '../lambda/readers/detect';
import type { ParseOptions } from '../lambda/readers/common';
import type { OptionChain, OptionContract } from '../lambda/types';

export const ROOT = join(__dirname, '..');
const DIRS = [join(ROOT, 'samples'), join(ROOT, 'tests', 'fixtures', 'chains')];

/** A recorded chain by file name: the bundled samples first, then the test-only fixtures. */
export function fixturePath(name: string): string {
  for (const dir of DIRS) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`no fixture ${name}`);
}

/**
 * The recorded chains a mutation run reads where a test goes over every one (tests/mutation-setup.cjs): each
 * layout (Cboe CSV with and without the example-data line, Cboe JSON, Cboe's older data-object JSON, Deribit
 * JSON and CSV, the Deribit snapshot CSV) and each way of writing the CSV's date line ("20 May 2023, 11:33 AM EDT", "8 June 2023 7:56 PM
 * EDT", "December 12, 2022 at 8:30 PM EST", "23 de marzo de 2022, 10:11 GMT-4").
 */
const MUTATION_CHAINS = new Set([
  'cboe_SPX_2023-05-19.csv',
  'cboe_SPX_2023-06-08.csv',
  'cboe_RUT_2022-12-12.csv',
  'cboe_SPX_2022-03-23_intraday.csv',
  'cboe_IWM_2025-06-06.json',
  'cboe_SPY_2022-04-01_dataobject.json',
  'deribit_BTC_2026-03-13.json',
  'deribit_BTC_2024-03-12.csv',
  'deribit_ETH_2025-11-22.csv',
  'deribit_options_snapshot_20251230T211751Z.csv.gz',
]);

/** Every item under `npm test`; under a mutation run only those of the chains above. */
export function mutationSubset<T>(items: readonly T[], name: (item: T) => string): T[] {
  return process.env.GAMMA_MUTATION_RUN === '1'
    ? items.filter((item) => MUTATION_CHAINS.has(name(item)))
    : [...items];
}

/** `n` distinct ticker symbols Cboe would serve, AAAA, AAAB, …: a watchlist of any size for the deploy. */
export function tickers(n: number): string[] {
  const letter = (i: number, place: number) => String.fromCharCode(65 + (Math.floor(i / 26 ** place) % 26));
  return Array.from({ length: n }, (_, i) => [3, 2, 1, 0].map((place) => letter(i, place)).join(''));
}

export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** A file of real single venue messages (tests/fixtures/venues), with the source it was copied from. */
export function venueMessages<T>(name: string): { source: string; messages: T[] } {
  return JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'venues', name), 'utf8')) as {
    source: string;
    messages: T[];
  };
}

export function loadFixture(name: string, opts: Omit<ParseOptions, 'origin'> = {}): OptionChain {
  return parseChainText(readFixture(name), { origin: name, ...opts });
}

export const HOUR_MS = 3600 * 1000;
export const DAY_MS = 24 * HOUR_MS;
/** 2024-01-02T15:00:00Z, a Tuesday: the snapshot of the hand-built chains. */
export const AS_OF = Date.UTC(2024, 0, 2, 15);

/** A hand-built Cboe-style contract (multiplier 100, valued on spot 100) expiring 30 days after AS_OF. */
export function contract(overrides: Partial<OptionContract> = {}): OptionContract {
  return {
    underlying: 'TEST',
    root: 'TEST',
    type: 'call',
    strike: 100,
    expiry: AS_OF + 30 * DAY_MS,
    openInterest: 1000,
    iv: 0.2,
    multiplier: 100,
    forward: 100,
    ...overrides,
  };
}

/**
 * The contracts with, for each side (calls, puts) that holds no open interest, one contract of that side so far
 * from the money that every exposure it adds is exactly 0 (φ(d1) underflows to 0 and N(d1) to 0 or 1): a
 * hand-built chain of calls only is one-sided, which docs/methodology.md §3 refuses, and this makes it a chain
 * the rules accept without changing any sum. It shows in the counts, as a strike row with only open interest,
 * and on its date (the first contract's expiry unless given).
 */
export function twoSided(contracts: OptionContract[], expiry = contracts[0]?.expiry): OptionContract[] {
  const first = contracts[0] ?? contract();
  const inert = (type: OptionContract['type']): OptionContract => ({
    ...first,
    type,
    expiry: expiry ?? first.expiry,
    strike: type === 'put' ? first.forward * 1e-9 : first.forward * 1e9,
    openInterest: 1,
    iv: 0.2,
  });
  const held = (type: OptionContract['type']) => contracts.some((c) => c.type === type && c.openInterest > 0);
  return [...contracts, ...(['call', 'put'] as const).filter((type) => !held(type)).map(inert)];
}

export function chain(contracts: OptionContract[], overrides: Partial<OptionChain> = {}): OptionChain {
  return { symbol: 'TEST', source: 'cboe', venue: 'cboe', asOf: AS_OF, spot: 100, contracts, ...overrides };
}

/** Standard normal CDF through erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7): independent of the product. */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Black-Scholes call delta e^{−qT} N(d1), written out here so tests do not lean on the code under test. */
export function callDelta(s: number, k: number, sigma: number, t: number, r = 0, q = 0): number {
  const d1 = (Math.log(s / k) + (r - q + 0.5 * sigma * sigma) * t) / (sigma * Math.sqrt(t));
  return Math.exp(-q * t) * normCdf(d1);
}

// Jest runs tests in a vm context, where every lookup of the global `Math` is some 20 times slower than in
// plain Node: the reference loops over thousands of contracts, so they take the functions once.
const { exp, log, sqrt } = Math;

/**
 * Whether a contract counts under docs/methodology.md §3, written out: unexpired, with open interest, an implied
 * volatility from 1% to 500%, and positive prices. (The order of the reasons matters only for their counts.)
 */
export function countsBySpec(c: OptionContract, asOf: number): boolean {
  return (
    c.expiry > asOf &&
    c.openInterest > 0 &&
    Number.isFinite(c.openInterest) &&
    Number.isFinite(c.iv) &&
    c.iv >= 0.01 &&
    c.iv <= 5 &&
    c.strike > 0 &&
    Number.isFinite(c.strike) &&
    c.forward > 0 &&
    Number.isFinite(c.forward)
  );
}

/** Calendar years from `asOf` to `expiry` (epoch ms), floored at five minutes: docs/methodology.md §2, written out. */
export function calendarYears(expiry: number, asOf: number): number {
  return Math.max(expiry - asOf, 5 * 60 * 1000) / (365 * DAY_MS);
}

/**
 * Black-Scholes gamma Γ = e^{−qT} φ(d1) / (S σ √T), d1 = (ln(S/K) + (r − q + σ²/2)T) / (σ√T): the closed form of
 * docs/methodology.md §4, written out here so expected values never come from the code under test.
 */
export function bsGamma(s: number, k: number, sigma: number, t: number, r = 0, q = 0): number {
  const vol = sigma * sqrt(t);
  const d1 = (log(s / k) + (r - q) * t) / vol + vol / 2;
  return (exp(-q * t) * exp(-0.5 * d1 * d1)) / sqrt(2 * Math.PI) / (s * vol);
}

/** GEX of one contract (docs/methodology.md §4): sign × Γ × OI × multiplier × F² × 1%, valued on F. */
export function closedFormGex(
  c: { type: 'call' | 'put'; strike: number; iv: number; openInterest: number; multiplier: number },
  f: number,
  years: number,
  options: { r?: number; q?: number; sign?: number } = {},
): number {
  const sign = options.sign ?? (c.type === 'call' ? 1 : -1);
  return (
    sign *
    bsGamma(f, c.strike, c.iv, years, options.r, options.q) *
    c.openInterest *
    c.multiplier *
    f *
    f *
    0.01
  );
}
