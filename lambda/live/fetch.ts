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
import { binanceExpiries, parseBinanceJson } from '../readers/binance';
import { parseBybitJson } from '../readers/bybit';
import { parseJson, type ParseOptions } from '../readers/common';
import { parseDeribitJson } from '../readers/deribit';
import { parseOkxJson } from '../readers/okx';
import type { ChainInput, OptionChain } from '../types';
import pLimit from 'p-limit';
import {
  coinOf,
  didYouMean,
  unservedReason,
  VENUE_NAMES,
  VENUES,
  venueFor,
  venueLists,
  venueSymbol,
  type RunGroup,
  type Venue,
} from '../venues';
import { FetchError, fetchText, type HttpOptions } from './http';
import { combineBook } from '../gamma/book';
import { sharePacer, type Pacer } from './pace';

/** One live answer: the parsed document and the text it was parsed from. */
interface Answer {
  doc: unknown;
  text: string;
}
type Answers = Readonly<Record<string, Answer>>;
/** A venue's reader of its live answers, and of the answers asked for per expiry where it has some. */
type LiveReader = (answers: Answers, opts: ParseOptions, byExpiry: Answers) => OptionChain;

/** A reader of a venue whose whole chain is one answer (`chain`). */
const oneAnswer =
  (read: (doc: unknown, opts: ParseOptions, source?: string) => OptionChain): LiveReader =>
  (answers, opts) =>
    read(answers['chain']!.doc, opts, answers['chain']!.text);

/** The documents of some answers, by name. */
const docs = (answers: Answers) =>
  Object.fromEntries(Object.entries(answers).map(([name, a]) => [name, a.doc]));

/** Each venue's reader of its live answers, by the names of its paths (lambda/venues.ts). */
const LIVE_READERS: Record<Venue, LiveReader> = {
  cboe: oneAnswer(parseCboeJson),
  deribit: oneAnswer(parseDeribitJson),
  bybit: oneAnswer(parseBybitJson),
  // The answers together, under their endpoint names: the document a recorded OKX or Binance file holds.
  okx: (answers, opts) => parseOkxJson(docs(answers), opts),
  binance: (answers, opts, byExpiry) =>
    parseBinanceJson({ ...docs(answers), openInterest: docs(byExpiry) }, opts),
};

/** The expiry codes whose answers a venue with `perExpiry` answers (lambda/venues.ts) asks for next. */
const EXPIRIES: Partial<Record<Venue, (answers: Answers, symbol: string, origin: string) => string[]>> = {
  binance: (answers, symbol, origin) => binanceExpiries(answers['exchangeInfo']!.doc, coinOf(symbol), origin),
};

export interface LiveConfig {
  /** Each venue's API base URL. */
  baseUrls: Record<Venue, string>;
  /** Oldest live snapshot presented as current, in hours, by schedule group. */
  maxAgeHours: Record<RunGroup, number>;
  /** Each venue's pacer, shared by every request of this process to it. */
  pacers: Record<Venue, Pacer>;
  http?: HttpOptions;
  /** Told each venue left out of a crypto book, in a sentence naming it (docs/methodology.md §17). */
  warn?: (message: string) => void;
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

/**
 * Base URLs from each venue's variable (CBOE_BASE_URL, DERIBIT_BASE_URL, BYBIT_BASE_URL, OKX_BASE_URL,
 * BINANCE_BASE_URL), so tests
 * and users can point them elsewhere.
 */
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
 * The public URLs of the answers that make a symbol's whole chain, by name (`chain` where one answer holds it).
 * A base URL that is not an http(s) URL is a setting to fix, not a fault to retry: the error names the variable
 * that holds it.
 */
export function liveUrls(symbol: string, config: Pick<LiveConfig, 'baseUrls'>): Record<string, string> {
  const venue = liveVenue(symbol);
  const base = liveBase(venue, config);
  const paths = Object.entries(VENUES[venue].api.paths(symbol));
  return Object.fromEntries(paths.map(([name, path]) => [name, `${base}${path}`]));
}

/**
 * Every request settled before the first failure is thrown, so none is left running after a chain's fetch ends
 * (and none lands in the next one's count).
 */
async function allSettled<T>(requests: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(requests);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** A venue's base URL without its trailing slashes, refused when it is not http or https. */
function liveBase(venue: Venue, config: Pick<LiveConfig, 'baseUrls'>): string {
  const base = config.baseUrls[venue];
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
    const variable = VENUES[venue].api.baseUrlVariable;
    throw new FetchError(`${variable}='${base}' is not an http or https URL`, base, false);
  }
  return base.replace(/\/+$/, '');
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
  const venue = liveVenue(symbol);
  const urls = Object.entries(liveUrls(symbol, config));
  const get = async ([name, url]: [string, string]): Promise<[string, Answer]> => {
    const text = await fetchText(url, { ...config.http, pacer: config.pacers[venue] }).catch((e: unknown) => {
      // A venue without this chain: say what the user may have meant (a typo of another venue's symbol).
      const hint = e instanceof FetchError && e.status === 404 ? didYouMean(symbol) : null;
      if (hint === null) throw e;
      const { message, url: at, transient, status } = e as FetchError;
      throw new FetchError(`${message}; ${hint}`, at, transient, status);
    });
    return [name, { doc: parseJson(text, url), text }];
  };
  const answers = Object.fromEntries(await allSettled(urls.map(get)));
  const { perExpiry } = VENUES[venue].api;
  const names = [...urls.map(([n]) => n), ...(perExpiry ? [perExpiry.name] : [])];
  // One answer is named by its URL; several by the base URL and their names, which the messages' fields start with.
  const origin =
    names.length === 1
      ? urls[0]![1]
      : `${VENUES[venue].name} ${config.baseUrls[venue]} (${names.join(', ')})`;
  let byExpiry: Answers = {};
  if (perExpiry) {
    const base = liveBase(venue, config);
    const limit = pLimit(perExpiry.concurrency);
    const expiries = EXPIRIES[venue]!(answers, symbol, origin);
    const paths = expiries.map((e): [string, string] => [e, `${base}${perExpiry.path(symbol, e)}`]);
    // The first failure fails the chain: the expiries whose turn comes after it are not asked.
    let failure: { reason: unknown } | undefined;
    const ask = (p: [string, string]) =>
      failure !== undefined
        ? Promise.reject(failure.reason)
        : get(p).catch((e: unknown) => {
            failure ??= { reason: e };
            throw e;
          });
    byExpiry = Object.fromEntries(await allSettled(paths.map((p) => limit(() => ask(p)))));
  }
  // `BTC-DERIBIT` is Deribit's `BTC` chain, which the book's name `BTC` would otherwise be.
  const alone = VENUES[venue].aloneSuffix;
  const read = alone !== undefined && symbol.endsWith(alone) ? symbol.slice(0, -alone.length) : symbol;
  const opts = { asOf: overrides.asOf, origin, asked: read, now: now.getTime() };
  const chain = LIVE_READERS[venue](answers, opts, byExpiry);
  requireFresh(chain, now, config.maxAgeHours, origin);
  return read === symbol ? chain : { ...chain, symbol };
}

/**
 * The venues whose chains of a coin make its book (docs/methodology.md §17): every venue listing the coin under
 * its own symbol (`BTC` on Deribit, `BTC-BYBIT`, `BTC-OKX`). One venue for a symbol that is no crypto coin.
 */
export function bookVenues(symbol: string): Venue[] {
  const listed = (v: Venue) => venueLists(v, venueSymbol(v, symbol));
  const venues = VENUES[liveVenue(symbol)].group === 'crypto' ? VENUE_NAMES.filter(listed) : [];
  return venues.length > 0 ? venues : [liveVenue(symbol)];
}

/**
 * A coin's live book (docs/methodology.md §17): every venue's chain fetched at once, each checked as its own live
 * chain; a venue that fails is left out with a warning naming it, and the others are summed by combineBook,
 * which leaves out a refused or stale venue the same way. When every venue fails, the first venue's failure is
 * the book's, alone, so its stage and whether it is worth retrying are kept.
 */
export async function fetchLiveBook(
  coin: string,
  config: LiveConfig,
  now: Date,
  overrides: Pick<ParseOptions, 'asOf'> = {},
): Promise<OptionChain> {
  const venues = bookVenues(coin);
  const settled = await Promise.allSettled(
    venues.map((v) => fetchLiveChain(venueSymbol(v, coin), config, now, overrides)),
  );
  const chains: OptionChain[] = [];
  const failed: { venue: Venue; reason: string }[] = [];
  settled.forEach((s, i) => {
    const venue = venues[i]!;
    if (s.status === 'fulfilled') chains.push({ ...s.value, symbol: coin });
    else {
      const reason = s.reason instanceof Error ? s.reason.message : String(s.reason);
      failed.push({ venue, reason });
    }
  });
  if (chains.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
  for (const { venue, reason } of failed)
    config.warn?.(`${coin} book: ${VENUES[venue].name} left out: ${reason}`);
  const { chain } = combineBook(chains, { warn: config.warn });
  chain.book!.leftOut.unshift(...failed);
  return chain;
}

/** A live symbol as one input of the pipeline: its origin is the venue serving it. */
export interface LiveInput extends ChainInput {
  origin: Venue;
}

/**
 * A symbol as one input of the pipeline, fetched when its turn comes and checked against `now` then: a crypto
 * coin (BTC, ETH) as its book across the venues, any other symbol from its venue.
 */
export function liveInput(
  symbol: string,
  config: LiveConfig,
  now: () => Date,
  overrides: Pick<ParseOptions, 'asOf'> = {},
): LiveInput {
  const book = bookVenues(symbol).length > 1;
  return {
    label: symbol,
    origin: liveVenue(symbol),
    load: async () => [await (book ? fetchLiveBook : fetchLiveChain)(symbol, config, now(), overrides)],
  };
}
