import {
  ConfigError,
  maxAgeLimits,
  maxAgeVariable,
  requestRates,
  RESOURCE_VARIABLES,
  type Settings,
} from '../contract';
import { InputError } from '../errors';
import { parseCboeJson } from '../readers/cboe-json';
import { parseJson, type ParseOptions } from '../readers/common';
import { parseDeribitJson } from '../readers/deribit';
import type { ChainInput, OptionChain } from '../types';
import {
  didYouMean,
  unservedReason,
  VENUE_NAMES,
  VENUES,
  venueFor,
  type RunGroup,
  type Venue,
} from '../venues';
import { FetchError, fetchText, type HttpOptions } from './http';
import { sharePacer, type Pacer } from './pace';

/** Each venue's reader of its live answer (a parsed JSON document). */
const LIVE_READERS: Record<Venue, (doc: unknown, opts: ParseOptions, source: string) => OptionChain> = {
  cboe: parseCboeJson,
  deribit: parseDeribitJson,
};

export interface LiveConfig {
  /** Each venue's API base URL. */
  baseUrls: Record<Venue, string>;
  /** Oldest live snapshot presented as current, in hours, by schedule group. */
  maxAgeHours: Record<RunGroup, number>;
  /** Each venue's pacer, shared by every request of this process to it. */
  pacers: Record<Venue, Pacer>;
  http?: HttpOptions;
}

/** Each venue's pacer for a process that is one of `concurrency` fetching at once (lambda/live/pace.ts). */
export function venuePacers(settings: Settings, concurrency: number): Record<Venue, Pacer> {
  const rates = requestRates(settings);
  return Object.fromEntries(VENUE_NAMES.map((v) => [v, sharePacer(rates[v], concurrency)])) as Record<
    Venue,
    Pacer
  >;
}

/** The map's concurrency the stack sets (MAX_CONCURRENCY), 1 when unset. */
function concurrencyFromEnv(env: NodeJS.ProcessEnv): number {
  const variable = RESOURCE_VARIABLES.concurrency;
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError([
      `environment variable ${variable}: ${JSON.stringify(raw)} is not a whole number from 1`,
    ]);
  }
  return n;
}

/** Base URLs from each venue's variable (CBOE_BASE_URL, DERIBIT_BASE_URL), so tests and users can point them elsewhere. */
export function liveBaseUrls(env: NodeJS.ProcessEnv): Pick<LiveConfig, 'baseUrls'> {
  return {
    baseUrls: Object.fromEntries(
      VENUE_NAMES.map((v) => [v, env[VENUES[v].api.baseUrlVariable] || VENUES[v].api.baseUrl]),
    ) as Record<Venue, string>,
  };
}

/**
 * The live sources as a deployment configures them: base URLs from the environment, age limits and request
 * rates from the settings, each venue's rate shared with the map's other invocations (MAX_CONCURRENCY).
 */
export function liveConfigFromEnv(env: NodeJS.ProcessEnv, settings: Settings): LiveConfig {
  return {
    ...liveBaseUrls(env),
    maxAgeHours: maxAgeLimits(settings),
    pacers: venuePacers(settings, concurrencyFromEnv(env)),
  };
}

/** The venue serving a live symbol, or bad input naming the symbol and what each venue serves. */
export function liveVenue(symbol: string): Venue {
  const venue = venueFor(symbol);
  if (venue === null) throw new InputError(unservedReason(symbol)!);
  return venue;
}

/**
 * The public URL of a symbol's whole chain. A base URL that is not an http(s) URL is a setting to fix, not a
 * fault to retry: the error names the variable that holds it.
 */
export function liveUrl(symbol: string, config: Pick<LiveConfig, 'baseUrls'>): string {
  const venue = liveVenue(symbol);
  const base = config.baseUrls[venue];
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
    const variable = VENUES[venue].api.baseUrlVariable;
    throw new FetchError(`${variable}='${base}' is not an http or https URL`, base, false);
  }
  return `${base.replace(/\/+$/, '')}${VENUES[venue].api.chainPath(symbol)}`;
}

/**
 * Refuses a live snapshot older than its group's limit: stale data is not presented as fresh. The age is that
 * of `ageAsOf` where the reader sets one (Deribit's median row, so one fresh row among stale ones does not
 * pass), else of asOf. A snapshot from the future beyond a few minutes of clock skew is refused too.
 */
export function requireFresh(
  chain: OptionChain,
  now: Date,
  limits: LiveConfig['maxAgeHours'],
  origin: string,
): void {
  const group = VENUES[chain.venue].group;
  const limit = limits[group];
  const aged = chain.ageAsOf ?? chain.asOf;
  const ageHours = (now.getTime() - aged) / 3600000;
  const shown = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const taken = shown(chain.asOf);
  if (ageHours > limit) {
    const which =
      aged === chain.asOf
        ? `the snapshot was taken at ${taken}`
        : `the median row was taken at ${shown(aged)} (the newest at ${taken})`;
    throw new InputError(
      `${origin}: ${which}, ${ageHours.toFixed(1)} hours before this run; live ${group} data older than ${limit} hours is refused as stale (limit: ${maxAgeVariable(group)} or --max-age)`,
    );
  }
  if (ageHours < -0.25) {
    throw new InputError(
      `${origin}: the snapshot time ${taken} is in the future (clock now ${now.toISOString()})`,
    );
  }
}

/**
 * Downloads, parses and checks a symbol's live chain: it must be a chain of that symbol (an answer for
 * another underlying, from a wrong file or a redirect, is never published under the name asked for) and
 * fresh.
 */
export async function fetchLiveChain(
  symbol: string,
  config: LiveConfig,
  now: Date,
  overrides: Pick<ParseOptions, 'asOf'> = {},
): Promise<OptionChain> {
  const url = liveUrl(symbol, config);
  const pacer = config.pacers[liveVenue(symbol)];
  const text = await fetchText(url, { ...config.http, pacer }).catch((e: unknown) => {
    // A venue without this chain: say what the user may have meant (a typo of another venue's symbol).
    const hint = e instanceof FetchError && e.status === 404 ? didYouMean(symbol) : null;
    if (hint === null) throw e;
    const { message, url: at, transient, status } = e as FetchError;
    throw new FetchError(`${message}; ${hint}`, at, transient, status);
  });
  const doc = parseJson(text, url);
  const opts = { asOf: overrides.asOf, origin: url, asked: symbol, now: now.getTime() };
  const chain = LIVE_READERS[liveVenue(symbol)](doc, opts, text);
  requireFresh(chain, now, config.maxAgeHours, url);
  return chain;
}

/** A live symbol as one input of the pipeline: its origin is the venue serving it. */
export interface LiveInput extends ChainInput {
  origin: Venue;
}

/** A symbol as one input of the pipeline, fetched when its turn comes and checked against `now` then. */
export function liveInput(
  symbol: string,
  config: LiveConfig,
  now: () => Date,
  overrides: Pick<ParseOptions, 'asOf'> = {},
): LiveInput {
  return {
    label: symbol,
    origin: liveVenue(symbol),
    load: async () => [await fetchLiveChain(symbol, config, now(), overrides)],
  };
}
