import { numberVar } from '../env';
import type { ChainInput } from '../pipeline';
import type { OptionChain } from '../types';
import { isCrypto, liveSource } from '../venues';
import { parseCboeJson } from './cboe-json';
import { parseJson, SYMBOL, type ParseOptions } from './common';
import { parseDeribitJson } from './deribit';
import { InputError } from './errors';
import { fetchText, type HttpOptions } from './http';

export const DEFAULT_CBOE_BASE_URL = 'https://cdn.cboe.com/api/global/delayed_quotes/options';
export const DEFAULT_DERIBIT_BASE_URL = 'https://www.deribit.com/api/v2';

/** Cboe indices, whose delayed-quotes file name starts with an underscore. */
const CBOE_INDICES = new Set(['SPX', 'NDX', 'RUT', 'VIX', 'XSP', 'DJX']);

/** Oldest live snapshot presented as current, in hours: Cboe's delayed file, Deribit's book. */
export interface MaxAgeHours {
  equity: number;
  crypto: number;
}

/** Over a weekend Cboe's file still carries Friday's session; Deribit trades around the clock. */
export const DEFAULT_MAX_AGE_HOURS: MaxAgeHours = { equity: 36, crypto: 2 };

export interface LiveConfig {
  cboeBaseUrl: string;
  deribitBaseUrl: string;
  maxAgeHours: MaxAgeHours;
  http?: HttpOptions;
}

const positive = (n: number) => n > 0;
const HOURS = 'a positive number of hours';

/**
 * Base URLs from CBOE_BASE_URL and DERIBIT_BASE_URL, so tests and users can point them elsewhere; the age
 * limits from MAX_AGE_HOURS_EQUITY and MAX_AGE_HOURS_CRYPTO.
 */
export function liveConfigFromEnv(env: NodeJS.ProcessEnv): LiveConfig {
  return {
    cboeBaseUrl: env.CBOE_BASE_URL || DEFAULT_CBOE_BASE_URL,
    deribitBaseUrl: env.DERIBIT_BASE_URL || DEFAULT_DERIBIT_BASE_URL,
    maxAgeHours: {
      equity: numberVar(env, 'MAX_AGE_HOURS_EQUITY', DEFAULT_MAX_AGE_HOURS.equity, positive, HOURS),
      crypto: numberVar(env, 'MAX_AGE_HOURS_CRYPTO', DEFAULT_MAX_AGE_HOURS.crypto, positive, HOURS),
    },
  };
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The public URL of a symbol's whole chain. */
export function liveUrl(symbol: string, config: LiveConfig): string {
  if (!SYMBOL.test(symbol)) throw new InputError(`"${symbol}" is not a ticker symbol`);
  if (isCrypto(symbol)) {
    return `${trimSlash(config.deribitBaseUrl)}/public/get_book_summary_by_currency?currency=${symbol}&kind=option`;
  }
  return `${trimSlash(config.cboeBaseUrl)}/${CBOE_INDICES.has(symbol) ? '_' : ''}${symbol}.json`;
}

/**
 * Refuses a live snapshot older than the limit for its kind: stale data is not presented as fresh. A
 * snapshot from the future beyond a few minutes of clock skew is refused too.
 */
export function requireFresh(chain: OptionChain, now: Date, maxAgeHours: MaxAgeHours, origin: string): void {
  const kind = isCrypto(chain.symbol) ? 'crypto' : 'equity';
  const limit = maxAgeHours[kind];
  const ageHours = (now.getTime() - chain.asOf) / 3600000;
  const taken = new Date(chain.asOf).toISOString().replace('.000Z', 'Z');
  if (ageHours > limit) {
    throw new InputError(
      `${origin}: the snapshot was taken at ${taken}, ${ageHours.toFixed(1)} hours before this run; live ${kind} data older than ${limit} hours is refused as stale (limit: MAX_AGE_HOURS_${kind.toUpperCase()} or --max-age)`,
    );
  }
  if (ageHours < -0.25) {
    throw new InputError(
      `${origin}: the snapshot time ${taken} is in the future (clock now ${now.toISOString()})`,
    );
  }
}

/** Downloads, parses and checks the age of a symbol's live chain (Cboe delayed quotes or Deribit). */
export async function fetchLiveChain(
  symbol: string,
  config: LiveConfig,
  now: Date,
  overrides: Omit<ParseOptions, 'origin'> = {},
): Promise<OptionChain> {
  const url = liveUrl(symbol, config);
  const text = await fetchText(url, config.http);
  const doc = parseJson(text, url);
  const opts: ParseOptions = { symbol, ...overrides, origin: url };
  const chain = isCrypto(symbol) ? parseDeribitJson(doc, opts) : parseCboeJson(doc, opts);
  requireFresh(chain, now, config.maxAgeHours, url);
  return chain;
}

/** A symbol as one input of the pipeline, fetched when its turn comes and checked against `now` then. */
export function liveInput(
  symbol: string,
  config: LiveConfig,
  now: () => Date,
  overrides: Omit<ParseOptions, 'origin'> = {},
): ChainInput {
  return {
    label: symbol,
    source: liveSource(symbol),
    load: () => fetchLiveChain(symbol, config, now(), overrides),
  };
}
