import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseChainText } from '../lambda/readers/detect';
import type { ParseOptions } from '../lambda/readers/common';
import { dollarGammaAt, dollarGammaTerms } from '../lambda/gamma/black-scholes';
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

export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
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

/** The product's dollar gamma Γ·S² of one unit at price S (ratio 1, weight 1). */
export function dollarGamma(s: number, k: number, sigma: number, t: number, r = 0, q = 0): number {
  return dollarGammaAt(dollarGammaTerms(k, sigma, t, r, q), s, Math.log(s));
}
