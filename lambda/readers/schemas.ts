import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.cjs';
import { COUNT_PROBLEMS, MAX_CONTRACTS } from './common';
import { InputError } from '../errors';

// zod/mini keeps the bundles small (about 20 KB against 440 KB for the classic API) but loads no messages.
z.config(en());

/**
 * The shapes of the JSON responses, checked before any maths. Only the fields the product reads are
 * described, and the checked copy keeps only those (`z.object`, which zod compiles: about 5 ms for 9,000
 * contracts where a pass-through object takes 70). A number that arrives as a string, a negative count or price, or a
 * missing array means the source changed or broke, and the whole chain is refused. `null` is the
 * sources' own "no value" and is left for the filters to count (docs/methodology.md §3).
 */

/** The array of contracts: 1 to MAX_CONTRACTS rows of the given shape. */
const contracts = <Row extends z.ZodMiniType>(row: Row) =>
  z.array(row).check(z.minLength(1, COUNT_PROBLEMS.none), z.maxLength(MAX_CONTRACTS, COUNT_PROBLEMS.tooMany));

/** A number, or null for "no value". */
const nonNegativeOrNull = z.nullable(z.number().check(z.nonnegative()));
const positive = () => z.number().check(z.positive());

/** A quote a row may lack altogether (older files), leave null, or give. */
const optionalQuote = z.optional(nonNegativeOrNull);

const cboeOption = z.object({
  option: z.string(),
  open_interest: nonNegativeOrNull,
  iv: nonNegativeOrNull,
  gamma: z.optional(z.nullable(z.number())),
  bid: optionalQuote,
  ask: optionalQuote,
});

/** `data` of a Cboe delayed-quotes response (or the whole document, in the older form). */
export const cboeData = z.object({
  options: contracts(cboeOption),
  current_price: positive(),
  /** New York local time of the underlying's last trade: which session the quotes belong to. */
  last_trade_time: z.optional(z.nullable(z.string())),
});

const deribitRow = z.object({
  instrument_name: z.string(),
  open_interest: nonNegativeOrNull,
  mark_iv: nonNegativeOrNull,
  underlying_price: z.nullable(positive()),
  estimated_delivery_price: positive(),
  creation_timestamp: z.number(),
  bid_price: optionalQuote,
  ask_price: optionalQuote,
  base_currency: z.optional(z.string()),
  quote_currency: z.optional(z.string()),
  underlying_index: z.optional(z.string()),
});

/** A Deribit `get_book_summary_by_currency` JSON-RPC result. */
export const deribitResult = z.object({ result: contracts(deribitRow) });

/**
 * A number the venue writes as a string (Bybit, OKX): a plain unsigned number (docs/methodology.md §3), or ``
 * for "no value", which becomes NaN for the filters to count. Anything else (`1,5`, `NaN`, `-3`) is refused.
 */
const numberText = z.pipe(
  z.string().check(z.regex(/^(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)?$/, 'not a plain unsigned number')),
  z.transform((text: string) => (text === '' ? NaN : Number(text))),
);
/** A time in epoch milliseconds as the venue writes it, a string of digits. */
const msText = z.pipe(
  z.string().check(z.regex(/^\d{1,15}$/, 'not a time in milliseconds')),
  z.transform(Number),
);

const bybitRow = z.object({
  symbol: z.string(),
  bid1Price: numberText,
  ask1Price: numberText,
  markIv: numberText,
  underlyingPrice: numberText,
  indexPrice: numberText,
  openInterest: numberText,
});

/** A Bybit v5 `/v5/market/tickers?category=option` answer: `time` is the answer's instant, in ms. */
export const bybitTickers = z.object({
  retCode: z.literal(0),
  result: z.object({ category: z.literal('option'), list: contracts(bybitRow) }),
  time: z.number().check(z.positive()),
});

/** An OKX v5 REST answer: `code` "0" and the rows in `data`. */
const okxAnswer = <Row extends z.ZodMiniType>(rows: Row) => z.object({ code: z.literal('0'), data: rows });

/** OKX `public/opt-summary`: each option's mark volatility and its expiry's forward, at `ts`. */
export const okxSummary = okxAnswer(
  contracts(
    z.object({ instId: z.string(), uly: z.string(), markVol: numberText, fwdPx: numberText, ts: msText }),
  ),
);
/** OKX `public/open-interest`: `oi` in contracts, `oiCcy` in coins. */
export const okxOpenInterest = okxAnswer(
  z.array(z.object({ instId: z.string(), oi: numberText, oiCcy: z.optional(numberText), ts: msText })),
);
/** OKX `market/index-tickers`: the index (spot). */
export const okxIndex = okxAnswer(
  z.array(z.object({ instId: z.string(), idxPx: numberText, ts: msText })).check(z.length(1)),
);
/** OKX `market/tickers`: the best bid and ask, in coins. */
export const okxTickers = okxAnswer(
  z.array(z.object({ instId: z.string(), bidPx: numberText, askPx: numberText })),
);

/** Binance `/eapi/v1/exchangeInfo`: each option's terms; `unit` is the coins one contract holds. */
export const binanceExchangeInfo = z.object({
  optionSymbols: z.array(
    z.object({
      symbol: z.string(),
      underlying: z.string(),
      strikePrice: numberText,
      side: z.enum(['CALL', 'PUT']),
      expiryDate: z.number(),
      unit: z.number(),
    }),
  ),
});
/** Binance `/eapi/v1/mark`: each option's mark implied volatility (`markIV`, a decimal). */
export const binanceMark = contracts(z.object({ symbol: z.string(), markIV: numberText }));
/** Binance `/eapi/v1/index`: the index (spot) and its time in ms. */
export const binanceIndex = z.object({ time: z.number().check(z.positive()), indexPrice: numberText });
/** Binance `/eapi/v1/openInterest` of each expiry, by its code (YYMMDD): `sumOpenInterest` in contracts. */
export const binanceOpenInterest = z.record(
  z.string().check(z.regex(/^\d{6}$/, 'not an expiry code (YYMMDD)')),
  z.array(z.object({ symbol: z.string(), sumOpenInterest: numberText })),
);

/** A JSON-RPC error answer. */
export const rpcError = z.looseObject({
  error: z.looseObject({ code: z.unknown(), message: z.unknown() }),
});

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let value = doc;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | null | undefined)?.[key];
  return value;
}

function pathText(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    prefix,
  );
}

/** Where a document came from, for messages: its file or URL, its format, and the text it was parsed from. */
export interface Described {
  origin: string;
  format: string;
  /** The path of `doc` inside the whole response (`data`), prefixed to every field path. */
  prefix?: string;
  /** The JSON text, to quote a number as written: JSON.parse turns `1e999` into Infinity, which prints as null. */
  source?: string;
}

/** A number token as written in the JSON text for `key` whose value is not finite (`1e999`), if there is one. */
function writtenOverflow(source: string, key: PropertyKey | undefined): string | null {
  if (typeof key !== 'string') return null;
  const pattern = new RegExp(`"${key.replace(/[^\w]/g, '\\$&')}"\\s*:\\s*(-?[\\d.]+(?:[eE][-+]?\\d+)?)`, 'g');
  for (const [, token] of source.matchAll(pattern)) if (!Number.isFinite(Number(token))) return token!;
  return null;
}

function shownValue(value: unknown, key: PropertyKey | undefined, source: string | undefined): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return (source === undefined ? null : writtenOverflow(source, key)) ?? String(value);
  }
  return JSON.stringify(value).slice(0, 60);
}

/**
 * The document as the schema's type, or bad input naming the file or URL, the format, the first problem's
 * field path and value, and how many more there are.
 */
export function checked<T extends z.ZodMiniType>(schema: T, doc: unknown, where: Described): z.infer<T> {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const issue = first!;
  const shown = shownValue(valueAt(doc, issue.path), issue.path.at(-1), where.source);
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new InputError(
    `${where.origin}: not a valid ${where.format}: ${pathText(where.prefix ?? '', issue.path)} is ${shown}: ${issue.message}${more}`,
  );
}
