import { DateTime } from 'luxon';

/**
 * Everything that differs between the places chains come from, in one table (docs/methodology.md §1, §2, §4,
 * §5). A new venue is one entry in VENUES plus its reader in `lambda/readers/` and its live reader in
 * LIVE_READERS (`lambda/live/fetch.ts`); a new schedule (with
 * its own calendar and freshness limit) is one entry in GROUPS. The CDK app reads the same tables through
 * `lambda/contract.ts`.
 */

export type Venue = 'cboe' | 'deribit' | 'bybit' | 'okx' | 'binance';

/**
 * The feed and format a chain was read from (the record's `source`), and the venue each belongs to: a Cboe CSV
 * download is Cboe's.
 */
export const SOURCES = {
  cboe: 'cboe',
  'cboe-csv': 'cboe',
  deribit: 'deribit',
  bybit: 'bybit',
  okx: 'okx',
  binance: 'binance',
} as const satisfies Record<string, Venue>;
export type SourceKind = keyof typeof SOURCES;
export const SOURCE_KINDS = Object.keys(SOURCES) as [SourceKind, ...SourceKind[]];

/**
 * A ticker as the product accepts it: it names folders and URLs, so letters, digits, `.`, `_` and `-`, starting
 * with a letter or digit (never `..` or a path).
 */
export const SYMBOL = /^[A-Z0-9][A-Z0-9._-]{0,15}$/;

/**
 * A ticker as typed (`spy`, ` QQQ `) in the product's form (`SPY`), or null when it is not one. Only ASCII is
 * read: `ſpy` upper-cases to `SPY` in JavaScript and a zero-width space is invisible, so either would pass for
 * another symbol.
 */
export function tickerSymbol(typed: string): string | null {
  const trimmed = typed.trim();
  if (/[^\x20-\x7e]/.test(trimmed)) return null;
  const symbol = trimmed.toUpperCase();
  return SYMBOL.test(symbol) ? symbol : null;
}

/** Runs that share a schedule, a trading calendar and a freshness limit. */
export type RunGroup = 'equity' | 'crypto';

export interface GroupSpec {
  /** Underlyings watched when the deployment names none. */
  underlyings: readonly string[];
  /** EventBridge Scheduler expression of the run. */
  schedule: string;
  /** IANA zone the schedule is read in. */
  timeZone: string;
  /** `nyse`: nothing is fetched on an NYSE holiday. */
  calendar: 'nyse' | 'none';
  /** A live snapshot older than this is refused as stale: Cboe's file carries Friday over a weekend. */
  maxAgeHours: number;
  /**
   * How far apart two reports of an underlying must be to make a pair of the regime evidence, in hours
   * (docs/methodology.md §16): the partner is the first report at least `minGapHours` later, kept when it is at
   * most `maxGapHours` later. Equity spans weekends and holidays; crypto is one day, give or take a few hours.
   */
  evidence: { minGapHours: number; maxGapHours: number };
}

export const GROUPS: Record<RunGroup, GroupSpec> = {
  equity: {
    underlyings: ['SPX', 'SPY'],
    // 08:30 New York: after the overnight open-interest update, before the open.
    schedule: 'cron(30 8 ? * MON-FRI *)',
    timeZone: 'America/New_York',
    calendar: 'nyse',
    maxAgeHours: 36,
    evidence: { minGapHours: 16, maxGapHours: 100 },
  },
  crypto: {
    underlyings: ['BTC', 'ETH'],
    // 08:15 UTC: just after Deribit's 08:00 expiry, so the expired series are gone.
    schedule: 'cron(15 8 * * ? *)',
    timeZone: 'UTC',
    calendar: 'none',
    maxAgeHours: 2,
    evidence: { minGapHours: 20, maxGapHours: 28 },
  },
};

export const RUN_GROUPS = Object.keys(GROUPS) as RunGroup[];

/** A time of day as [hour, minute]. */
type Clock = readonly [number, number];

export interface VenueSpec {
  /** How pages and errors name it. */
  name: string;
  group: RunGroup;
  /** IANA zone whose calendar dates name expiries and report files. */
  zone: string;
  /** Contract multiplier: open interest × multiplier = units of the underlying. */
  multiplier: number;
  /** When an expiry date's options stop trading, in `zone`: roots settled on the open stop earlier. */
  settlement: { time: Clock; am?: { roots: ReadonlySet<string>; time: Clock } };
  /** Which Friday of the month is the standard monthly expiry. */
  monthly: 'third' | 'last';
  /** Half-width of the gamma profile around spot, as a fraction. */
  profileRange: number;
  /** Whether configured r and q apply: Deribit values each expiry on its own quoted forward. */
  usesCarry: boolean;
  /**
   * Where the forward the chain implies comes from, to check the spot against (docs/methodology.md §3): put-call
   * parity where contracts are valued on spot, or the forwards the venue quotes on its rows.
   */
  impliedForward: 'parity' | 'quoted';
  /** Roots whose options price off futures that can stand far from the index: the spot check is skipped. */
  futuresPricedRoots?: ReadonlySet<string>;
  /**
   * Symbols served: some by name (`listed`, which win over another venue's `pattern`: BTC is Deribit's, not a
   * Cboe ticker), and any of the form `pattern` (Cboe's tickers, Deribit's USDC-linear books), which messages
   * call `described`. `suggested` are symbols a bare coin typed by mistake may have meant (`SOL` → `SOL_USDC`).
   */
  symbols: {
    listed?: readonly string[];
    pattern?: RegExp;
    described?: string;
    suggested?: readonly string[];
  };
  /**
   * A per-venue chain's symbol is the coin with this suffix (`BTC-BYBIT`): the coin alone (`BTC`) names the book
   * of every crypto venue (docs/methodology.md §17), so one venue's record never takes the book's place.
   */
  symbolSuffix?: string;
  /**
   * A venue whose own chains carry the coin's name alone (Deribit's `BTC`, the name of the book of every venue):
   * the suffix that asks for its chain alone live (`BTC-DERIBIT`), the same answer published under that name.
   */
  aloneSuffix?: string;
  /**
   * The public API: base URL (overridable by an environment variable) and the paths of the answers that make a
   * symbol's whole chain, by name: `chain` where one answer holds it, else one per endpoint (OKX's summary,
   * open interest, index and quotes), which the live reader receives under the same names.
   */
  api: {
    baseUrlVariable: string;
    baseUrl: string;
    paths(symbol: string): Readonly<Record<string, string>>;
    /**
     * An answer asked for once per expiry, after `paths`' answers name the expiries (Binance's open interest): the
     * path of an expiry's code (YYMMDD), at most `concurrency` requests at once; the live reader receives the
     * answers under `name`, by expiry code.
     */
    perExpiry?: { name: string; concurrency: number; path(symbol: string, expiry: string): string };
  };
  attribution: string;
}

/**
 * A Deribit USDC-linear book as the product names it: Deribit's own `SOL_USDC` (docs/methodology.md §17), the
 * coin and the currency its options are quoted and settled in.
 */
const LINEAR_BOOK = /^(?<coin>[A-Z0-9]{1,10})_(?<quote>USDC)$/;
const DERIBIT_LINEAR_EXAMPLES = ['SOL_USDC', 'XRP_USDC'] as const;

/** The coin and settlement currency of a linear book's symbol (`SOL_USDC`), or null for any other symbol. */
export function linearBook(symbol: string): { coin: string; quote: string } | null {
  const g = LINEAR_BOOK.exec(symbol)?.groups;
  return g ? { coin: g.coin!, quote: g.quote! } : null;
}

/** Cboe indices, whose delayed-quotes file name starts with an underscore. */
const CBOE_INDICES = new Set(['SPX', 'NDX', 'RUT', 'VIX', 'XSP', 'DJX']);

/**
 * What the crypto option venues share (docs/methodology.md §17): coins of open interest (multiplier 1), 08:00
 * UTC expiries, the last Friday as the monthly, a ±30% profile, each expiry valued on the venue's own forward,
 * which is what the spot is checked against.
 */
const CRYPTO = {
  group: 'crypto',
  zone: 'UTC',
  multiplier: 1,
  settlement: { time: [8, 0] },
  monthly: 'last',
  profileRange: 0.3,
  usesCarry: false,
  impliedForward: 'quoted',
} as const satisfies Partial<VenueSpec>;

export const VENUES: Record<Venue, VenueSpec> = {
  cboe: {
    name: 'Cboe',
    group: 'equity',
    zone: 'America/New_York',
    multiplier: 100,
    settlement: { time: [16, 0], am: { roots: new Set(['SPX', 'NDX', 'RUT', 'VIX', 'DJX']), time: [9, 30] } },
    monthly: 'third',
    profileRange: 0.2,
    usesCarry: true,
    impliedForward: 'parity',
    futuresPricedRoots: new Set(['VIX', 'VIXW']),
    symbols: { pattern: /^[A-Z][A-Z0-9.]{0,9}$/, described: 'US tickers such as SPX, SPY, AAPL' },
    api: {
      baseUrlVariable: 'CBOE_BASE_URL',
      baseUrl: 'https://cdn.cboe.com/api/global/delayed_quotes/options',
      paths: (symbol) => ({ chain: `/${CBOE_INDICES.has(symbol) ? '_' : ''}${symbol}.json` }),
    },
    attribution: 'Option data © Cboe Global Markets, delayed at least 15 minutes.',
  },
  deribit: {
    name: 'Deribit',
    ...CRYPTO,
    // The inverse books by coin (BTC-DERIBIT: Deribit's alone); a USDC-linear book (`SOL_USDC`) by Deribit's own
    // name, which no US ticker has.
    symbols: {
      listed: ['BTC', 'ETH', 'BTC-DERIBIT', 'ETH-DERIBIT'],
      pattern: LINEAR_BOOK,
      described: `USDC-linear books such as ${DERIBIT_LINEAR_EXAMPLES.join(', ')}`,
      suggested: DERIBIT_LINEAR_EXAMPLES,
    },
    aloneSuffix: '-DERIBIT',
    api: {
      baseUrlVariable: 'DERIBIT_BASE_URL',
      baseUrl: 'https://www.deribit.com/api/v2',
      // One answer holds every coin of a settlement currency's book: all USDC-linear options come with SOL_USDC's.
      paths: (symbol) => ({
        chain: `/public/get_book_summary_by_currency?currency=${linearBook(symbol)?.quote ?? coinOf(symbol)}&kind=option`,
      }),
    },
    attribution: 'Option data from the Deribit public API.',
  },
  bybit: {
    name: 'Bybit',
    ...CRYPTO,
    symbols: { listed: ['BTC-BYBIT', 'ETH-BYBIT'] },
    symbolSuffix: '-BYBIT',
    api: {
      baseUrlVariable: 'BYBIT_BASE_URL',
      baseUrl: 'https://api.bybit.com',
      paths: (symbol) => ({ chain: `/v5/market/tickers?category=option&baseCoin=${coinOf(symbol)}` }),
    },
    attribution: 'Option data from the Bybit public API.',
  },
  okx: {
    name: 'OKX',
    ...CRYPTO,
    symbols: { listed: ['BTC-OKX', 'ETH-OKX'] },
    symbolSuffix: '-OKX',
    api: {
      baseUrlVariable: 'OKX_BASE_URL',
      baseUrl: 'https://www.okx.com',
      paths: (symbol) => {
        const family = `${coinOf(symbol)}-USD`;
        return {
          'opt-summary': `/api/v5/public/opt-summary?instFamily=${family}`,
          'open-interest': `/api/v5/public/open-interest?instType=OPTION&instFamily=${family}`,
          'index-tickers': `/api/v5/market/index-tickers?instId=${family}`,
          tickers: `/api/v5/market/tickers?instType=OPTION&instFamily=${family}`,
        };
      },
    },
    attribution: 'Option data from the OKX public API.',
  },
  binance: {
    name: 'Binance',
    ...CRYPTO,
    symbols: { listed: ['BTC-BINANCE', 'ETH-BINANCE'] },
    symbolSuffix: '-BINANCE',
    api: {
      baseUrlVariable: 'BINANCE_BASE_URL',
      baseUrl: 'https://eapi.binance.com',
      paths: (symbol) => ({
        exchangeInfo: '/eapi/v1/exchangeInfo',
        mark: '/eapi/v1/mark',
        index: `/eapi/v1/index?underlying=${coinOf(symbol)}USDT`,
      }),
      // Binance answers open interest one expiry at a time; a request weighs nothing against its limits.
      perExpiry: {
        name: 'openInterest',
        concurrency: 4,
        path: (symbol, expiry) =>
          `/eapi/v1/openInterest?underlyingAsset=${coinOf(symbol)}&expiration=${expiry}`,
      },
    },
    attribution: 'Option data from the Binance public API.',
  },
};

/** The coin of a crypto symbol: `BTC` of `BTC`, `BTC-BYBIT`, `BTC-DERIBIT`. */
export function coinOf(symbol: string): string {
  return symbol.split('-')[0]!;
}

/** The symbol a venue's chain of a coin is published as: `BTC` on Deribit, `BTC-BYBIT` on Bybit. */
export function venueSymbol(venue: Venue, coin: string): string {
  return coin + (VENUES[venue].symbolSuffix ?? '');
}

export const VENUE_NAMES = Object.keys(VENUES) as [Venue, ...Venue[]];

/** Whether a venue lists a symbol by name (`BTC`, `BTC-BYBIT`), or serves it by form (`SPY`, `SOL_USDC`). */
export const venueLists = (v: Venue, symbol: string) => VENUES[v].symbols.listed?.includes(symbol) ?? false;
const takes = (v: Venue, symbol: string) => VENUES[v].symbols.pattern?.test(symbol) ?? false;

/**
 * The venue a live symbol is fetched from: a venue that lists it by name wins over one that takes any ticker
 * of its form (BTC is Deribit's, not a Cboe ticker). Null when none serves it.
 */
export function venueFor(symbol: string): Venue | null {
  return VENUE_NAMES.find((v) => venueLists(v, symbol)) ?? VENUE_NAMES.find((v) => takes(v, symbol)) ?? null;
}

/** A venue's symbol a bare coin may have meant (`SOL` → `SOL_USDC` on Deribit), as a hint; null when none. */
function suggestion(symbol: string): string | null {
  for (const v of VENUE_NAMES) {
    const meant = VENUES[v].symbols.suggested?.find((s) => linearBook(s)?.coin === symbol);
    if (meant) return `${VENUES[v].name} lists ${symbol}'s options as ${meant}`;
  }
  return null;
}

/** Why no venue of `group` serves a symbol, in one sentence naming what is served; null when one does. */
export function unservedReason(symbol: string, group?: RunGroup): string | null {
  const venue = venueFor(symbol);
  if (venue !== null && (group === undefined || VENUES[venue].group === group)) return null;
  const hint = suggestion(symbol);
  if (venue !== null) {
    const why = `${symbol} is served by ${VENUES[venue].name}, which runs in the ${VENUES[venue].group} group`;
    return hint ? `${why}; ${hint}` : why;
  }
  const served = VENUE_NAMES.filter((v) => group === undefined || VENUES[v].group === group).map((v) => {
    const { listed = [], described } = VENUES[v].symbols;
    return `${VENUES[v].name} (${[...listed, ...(described ? [described] : [])].join(', ')})`;
  });
  return `no venue serves ${JSON.stringify(symbol)}: ${served.join('; ')}`;
}

/** Whether two symbols are one letter apart: one added, dropped or changed. */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const rest = (x: string, skip: number) => x.slice(i + skip);
  return rest(a, 1) === rest(b, 1) || rest(a, 1) === rest(b, 0) || rest(a, 0) === rest(b, 1);
}

/**
 * What the user may have meant when a venue has no chain for `symbol`: the name a venue lists a bare coin's
 * options under (SOL → SOL_USDC on Deribit), or another venue's listed symbol one letter away (BTCC → BTC).
 * Null when nothing is near.
 */
export function didYouMean(symbol: string): string | null {
  const hint = suggestion(symbol);
  if (hint) return hint;
  for (const v of VENUE_NAMES) {
    const near = VENUES[v].symbols.listed?.find((x) => oneEditApart(x, symbol));
    if (near) return `did you mean ${near} (${VENUES[v].name})?`;
  }
  return null;
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

/** Whether a calendar date (YYYY-MM-DD) is the venue's standard monthly expiry. */
export function isMonthly(venue: Venue, date: string): boolean {
  return VENUES[venue].monthly === 'third' ? isThirdFriday(date) : isLastFriday(date);
}

const expiryCache = new Map<string, number>();

/**
 * The instant (epoch ms) an option of `root` expiring on a calendar date stops trading, in the venue's zone:
 * daylight saving time comes from the zone. NaN for a date that does not exist (31 February).
 */
export function expiryInstant(venue: Venue, root: string, year: number, month: number, day: number): number {
  const spec = VENUES[venue];
  const am = spec.settlement.am?.roots.has(root) ?? false;
  const key = `${venue} ${year}-${month}-${day} ${am}`;
  let instant = expiryCache.get(key);
  if (instant === undefined) {
    const [hour, minute] = am ? spec.settlement.am!.time : spec.settlement.time;
    const t = DateTime.fromObject({ year, month, day, hour, minute }, { zone: spec.zone });
    instant = t.isValid && t.day === day ? t.toMillis() : NaN;
    expiryCache.set(key, instant);
  }
  return instant;
}

/** The calendar date (YYYY-MM-DD) of an instant in a zone. */
export function dateInZone(instantMs: number, zone: string): string {
  const iso = DateTime.fromMillis(instantMs, { zone }).toISODate();
  if (iso === null) throw new Error(`invalid instant ${instantMs} or zone ${zone}`);
  return iso;
}
