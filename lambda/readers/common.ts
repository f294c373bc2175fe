import type { OptionChain, OptionContract, OptionType } from '../types';
import { InputError } from '../errors';
import { DuplicateKeyError, parseStrictJson } from '../json';
import {
  dateInZone,
  expiryInstant,
  SYMBOL,
  VENUES,
  venueSymbol,
  type SourceKind,
  type Venue,
} from '../venues';

/** What a parser needs besides the text: a name for messages, the user's overrides and the run's clock. */
export interface ParseOptions {
  /** File path or URL, used in every error message. */
  origin: string;
  /** Snapshot instant (epoch ms) that replaces the one in the data (`--as-of`). */
  asOf?: number;
  /** Underlying symbol that replaces the one derived from the data (`--symbol`). */
  symbol?: string;
  /**
   * The underlying that was asked for (a live symbol): the data must be a chain of it and of nothing else
   * (docs/methodology.md §3), and the chain is named by it.
   */
  asked?: string;
  /** The moment of the run, epoch ms: a snapshot more than a day after it is refused. @default the clock */
  now?: number;
}

/** No listed chain comes near this many contracts (a full SPX chain holds about 30,000). */
export const MAX_CONTRACTS = 250_000;
/** Why a chain's count of contracts is refused, the same from the JSON schemas and from the CSV readers. */
export const COUNT_PROBLEMS = {
  none: 'the chain has no option contracts',
  tooMany: `more than ${MAX_CONTRACTS} contracts: not a real chain`,
} as const;

/** No listed option comes near these; a larger number is a corrupt feed, not a market. */
const LIMITS = { strike: 1e9, openInterest: 1e9, forward: 1e9 } as const;
const LIMITED = Object.keys(LIMITS) as (keyof typeof LIMITS)[];

/** The contracts of one (root, expiry), by strike, each with the place it was read at. */
type Strikes = Record<OptionType, Map<number, number>>;

/**
 * The contracts of a chain, checked as they are read (docs/methodology.md §3): at most MAX_CONTRACTS (counted
 * as rows arrive, so a huge file is refused without reading it all), every finite number within what a market
 * can show (missing values stay NaN for the filters to count), and no two with the same key (root, expiry,
 * strike, type). `place` names where a contract was read ("line 57", "data.options[3]") from the number the
 * reader gives `add`.
 */
export class ChainContracts {
  readonly contracts: OptionContract[] = [];
  /** Every underlying the contracts name. */
  readonly underlyings = new Set<string>();
  private readonly keys = new Map<string, Map<number, Strikes>>();
  private last: { root: string; expiry: number; strikes: Strikes } | null = null;

  constructor(
    private readonly origin: string,
    private readonly venue: Venue,
    private readonly place: (at: number) => string,
  ) {}

  add(contract: OptionContract, at: number): void {
    const { origin, place } = this;
    if (this.contracts.length === MAX_CONTRACTS) {
      throw new InputError(`${origin}: ${place(at)}: ${COUNT_PROBLEMS.tooMany}`);
    }
    const { root, type, strike, expiry } = contract;
    for (const field of LIMITED) {
      const v = contract[field];
      if (Math.abs(v) > LIMITS[field]) {
        throw new InputError(
          `${origin}: ${place(at)}: ${field} ${v} of the ${root} ${type} ${strike} is beyond any real market (limit ${LIMITS[field]})`,
        );
      }
    }
    const strikes = this.series(root, expiry);
    const first = strikes[type].get(strike);
    if (first !== undefined) {
      const date = dateInZone(expiry, VENUES[this.venue].zone);
      throw new InputError(
        `${origin}: the ${root} ${type} ${strike} expiring ${date} appears twice (${place(first)} and ${place(at)}): its open interest would count twice`,
      );
    }
    strikes[type].set(strike, at);
    this.underlyings.add(contract.underlying);
    this.contracts.push(contract);
  }

  /** The strikes read so far of one root and expiry; files list a series' contracts together. */
  private series(root: string, expiry: number): Strikes {
    const last = this.last;
    if (last !== null && last.root === root && last.expiry === expiry) return last.strikes;
    let byExpiry = this.keys.get(root);
    if (byExpiry === undefined) this.keys.set(root, (byExpiry = new Map()));
    let strikes = byExpiry.get(expiry);
    if (strikes === undefined) byExpiry.set(expiry, (strikes = { call: new Map(), put: new Map() }));
    this.last = { root, expiry, strikes };
    return strikes;
  }

  /**
   * The chain's symbol: the one asked for or given with --symbol, else the one underlying of every contract, as
   * the venue names its chains (`BTC-BYBIT` for Bybit's BTC, docs/methodology.md §17).
   */
  symbol(opts: ParseOptions): string {
    const { origin } = this;
    if (this.contracts.length === 0) throw new InputError(`${origin}: ${COUNT_PROBLEMS.none}`);
    const found = [...this.underlyings].map((u) => venueSymbol(this.venue, u)).sort();
    if (opts.asked !== undefined) {
      if (found.length !== 1 || found[0] !== opts.asked) {
        throw new InputError(
          `${origin}: the answer is a chain of ${found.join(', ')}, not of ${opts.asked} as asked: refused, so that it is never published as ${opts.asked}`,
        );
      }
      return opts.asked;
    }
    if (opts.symbol) return opts.symbol;
    if (found.length !== 1) {
      throw new InputError(
        `${origin}: the chain holds several underlyings (${found.join(', ')}); pass --symbol to name one`,
      );
    }
    const symbol = found[0] as string;
    if (!SYMBOL.test(symbol)) {
      throw new InputError(
        `${origin}: the underlying ${JSON.stringify(symbol)} is not a ticker symbol; pass --symbol to name it`,
      );
    }
    return symbol;
  }
}

/** How a venue's answer names its snapshot time and its index, for the messages. */
export interface RowFields {
  /** `the latest creation_timestamp` */
  time: string;
  /** `estimated_delivery_price (the index, spot; the median over the rows)` */
  index: string;
}

/**
 * The contracts of a crypto venue's answer, each row with the venue's index and a time (docs/methodology.md §2,
 * §3, §17): spot is the median index over the rows, never one row's; asOf the latest row time, and the age a
 * live answer is judged by its median row's, so one fresh row among stale ones does not pass.
 */
export class IndexedChain {
  private readonly contracts: ChainContracts;
  private readonly times: number[] = [];
  private readonly indices: number[] = [];

  constructor(
    private readonly opts: ParseOptions,
    private readonly source: SourceKind,
    private readonly venue: Venue,
    place: (at: number) => string,
    private readonly fields: RowFields,
  ) {
    this.contracts = new ChainContracts(opts.origin, venue, place);
  }

  /** One contract read at `at`, with its row's index and time (NaN where the row has none). */
  add(contract: OptionContract, at: number, index: number, time: number): void {
    if (Number.isFinite(time)) this.times.push(time);
    if (Number.isFinite(index)) this.indices.push(index);
    this.contracts.add(contract, at);
  }

  chain(): OptionChain {
    const { opts, times, fields } = this;
    const asOf = snapshotInstant(opts, `the latest ${fields.time}`, () => {
      if (times.length === 0) {
        throw new InputError(
          `${opts.origin}: no row has a ${fields.time}; pass --as-of with the snapshot instant`,
        );
      }
      return times.reduce((a, b) => Math.max(a, b));
    });
    const spot = requireSpot(median(this.indices), opts.origin, fields.index);
    const chain: OptionChain = {
      symbol: this.contracts.symbol(opts),
      source: this.source,
      venue: this.venue,
      asOf,
      spot,
      contracts: this.contracts.contracts,
    };
    if (opts.asOf === undefined && times.length > 0) chain.ageAsOf = median(times);
    return chain;
  }
}

/** A spot price: positive and within what a market quotes (1e-6 to 1e9). */
export function requireSpot(value: number, origin: string, field: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InputError(`${origin}: ${field} is not a positive number (got ${String(value)})`);
  }
  if (value < 1e-6 || value > 1e9)
    throw new InputError(`${origin}: ${field} ${value} is beyond any real market`);
  return value;
}

const EARLIEST = Date.UTC(2000, 0, 1);
const DAY_MS = 24 * 3600 * 1000;

/** An instant as ISO 8601 when it is one a Date can hold, else the number itself. */
function shown(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/**
 * The snapshot instant: `--as-of` when given, else what `read` finds in the data (named `field`). Either must
 * lie between 2000-01-01 and a day after the moment of the run (docs/methodology.md §3): anything else is a
 * corrupt timestamp or a broken clock, and the time to each expiry would be meaningless.
 */
export function snapshotInstant(opts: ParseOptions, field: string, read: () => number): number {
  const given = opts.asOf !== undefined;
  const ms = given ? (opts.asOf as number) : read();
  const name = given ? '--as-of' : field;
  const hint = given ? '' : '; pass --as-of with the snapshot instant';
  if (!(ms >= EARLIEST)) {
    throw new InputError(`${opts.origin}: ${name} is ${shown(ms)}, before 2000-01-01${hint}`);
  }
  const now = opts.now ?? Date.now();
  if (ms > now + DAY_MS) {
    throw new InputError(
      `${opts.origin}: ${name} is ${shown(ms)}, more than a day after this run (${shown(now)}): a corrupt timestamp or a wrong clock${hint}`,
    );
  }
  return ms;
}

/**
 * The JSON text as a document, refusing a key repeated in one object (docs/methodology.md §3), with an error
 * that names the file or URL.
 */
export function parseJson(text: string, origin: string): unknown {
  try {
    return parseStrictJson(text);
  } catch (e) {
    if (e instanceof DuplicateKeyError) {
      throw new InputError(
        `${origin}: ${e.message}: which value holds is a guess, so the document is refused`,
      );
    }
    throw new InputError(`${origin}: invalid JSON (${(e as Error).message})`);
  }
}

/**
 * The JSON schemas, loaded on first use: zod is only needed for a JSON chain, and a CSV run does not pay
 * for loading it (issue 18).
 */
export function jsonSchemas(): typeof import('./schemas') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; esbuild bundles it
  return require('./schemas') as typeof import('./schemas');
}

/** The median of some numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** An option named by its coin, expiry date as YYMMDD, strike and C or P (OKX's and Binance's names). */
export interface DatedOption {
  coin: string;
  strike: number;
  type: OptionType;
  /** The venue's expiry instant of the date, epoch ms. */
  expiry: number;
}

/**
 * The terms of a name matched by `pattern`, whose groups are `coin`, `yy`, `mm`, `dd`, `strike` and `cp`, with
 * the pattern's other groups; null when the name does not match or names a date that does not exist.
 */
export function datedOption(
  venue: Venue,
  pattern: RegExp,
  name: string,
): (DatedOption & Record<string, string | number>) | null {
  const g = pattern.exec(name)?.groups;
  if (!g) return null;
  const expiry = expiryInstant(venue, g.coin!, 2000 + Number(g.yy), Number(g.mm), Number(g.dd));
  if (!Number.isFinite(expiry)) return null;
  return { ...g, coin: g.coin!, strike: Number(g.strike), type: g.cp === 'C' ? 'call' : 'put', expiry };
}
