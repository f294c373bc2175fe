import type { OptionChain } from '../types';
import { parseCboeJson } from './cboe-json';
import { parseJson, type ParseOptions } from './common';
import { parseDeribitJson } from './deribit';
import { InputError } from './errors';
import { fetchText, type HttpOptions } from './http';

export const DEFAULT_CBOE_BASE_URL = 'https://cdn.cboe.com/api/global/delayed_quotes/options';
export const DEFAULT_DERIBIT_BASE_URL = 'https://www.deribit.com/api/v2';

/** Underlyings Deribit lists inverse options on; every other symbol is looked up at Cboe. */
const DERIBIT_CURRENCIES = new Set(['BTC', 'ETH']);
/** Cboe indices, whose delayed-quotes file name starts with an underscore. */
const CBOE_INDICES = new Set(['SPX', 'NDX', 'RUT', 'VIX', 'XSP', 'DJX']);

export interface LiveConfig {
  cboeBaseUrl: string;
  deribitBaseUrl: string;
  http?: HttpOptions;
}

/** Base URLs from CBOE_BASE_URL and DERIBIT_BASE_URL, so tests and users can point them elsewhere. */
export function liveConfigFromEnv(env: NodeJS.ProcessEnv): LiveConfig {
  return {
    cboeBaseUrl: env.CBOE_BASE_URL || DEFAULT_CBOE_BASE_URL,
    deribitBaseUrl: env.DERIBIT_BASE_URL || DEFAULT_DERIBIT_BASE_URL,
  };
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function isCrypto(symbol: string): boolean {
  return DERIBIT_CURRENCIES.has(symbol);
}

/** The public URL of a symbol's whole chain. */
export function liveUrl(symbol: string, config: LiveConfig): string {
  if (!/^[A-Z0-9.]{1,10}$/.test(symbol)) throw new InputError(`"${symbol}" is not a ticker symbol`);
  if (isCrypto(symbol)) {
    return `${trimSlash(config.deribitBaseUrl)}/public/get_book_summary_by_currency?currency=${symbol}&kind=option`;
  }
  return `${trimSlash(config.cboeBaseUrl)}/${CBOE_INDICES.has(symbol) ? '_' : ''}${symbol}.json`;
}

/** Downloads and parses a symbol's live chain (Cboe delayed quotes or the Deribit book summary). */
export async function fetchLiveChain(
  symbol: string,
  config: LiveConfig,
  overrides: Omit<ParseOptions, 'origin'> = {},
): Promise<OptionChain> {
  const url = liveUrl(symbol, config);
  const text = await fetchText(url, config.http);
  const doc = parseJson(text, url);
  const opts: ParseOptions = { symbol, ...overrides, origin: url };
  return isCrypto(symbol) ? parseDeribitJson(doc, opts) : parseCboeJson(doc, opts);
}
