import type * as z from 'zod/mini';
import type { OptionChain } from '../types';
import { datedOption, IndexedChain, jsonSchemas, type DatedOption, type ParseOptions } from './common';
import { InputError } from '../errors';
import { dateInZone, VENUES } from '../venues';

/**
 * Binance's European options (linear, USDT-settled), normalised as docs/methodology.md §17 says, from the answers
 * of its public endpoints kept together in one document under their names, as the live fetcher assembles them:
 * `exchangeInfo` (each option's terms: strike, side, expiry instant and `unit`, the coins one contract holds),
 * `mark` (`markIV`, a decimal), `index` (the index, spot, and its `time`, the snapshot instant) and
 * `openInterest`, one answer per expiry by its code (`{"251219": [{symbol, sumOpenInterest}, …]}`), in
 * contracts. Binance values every option on the index (its risk-free rate is 0), so the index is each
 * contract's forward. Only contracts of 1 coin are read: another `unit` is refused, never scaled by a guess.
 */

/** The parts of a Binance chain document: the endpoint names of lambda/venues.ts. */
const PARTS = ['exchangeInfo', 'mark', 'index', 'openInterest'] as const;

/** `BTC-251219-89000-C`: the coin, the expiry date (YYMMDD), the strike, call or put. */
const SYMBOL =
  /^(?<coin>[A-Z0-9]+)-(?<date>(?<yy>\d\d)(?<mm>\d\d)(?<dd>\d\d))-(?<strike>\d+(?:\.\d+)?)-(?<cp>[CP])$/;

/** Whether a parsed JSON document is a Binance chain document (its parts by endpoint name). */
export function looksLikeBinanceJson(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'exchangeInfo' in doc;
}

interface Instrument extends DatedOption {
  /** The expiry's code, YYMMDD. */
  date: string;
}

function parseSymbol(symbol: string): Instrument | null {
  const option = datedOption('binance', SYMBOL, symbol);
  return option && { ...option, date: String(option['date']) };
}

/** An answer Binance marked as an error (`{code: -1121, msg}`), named; null when it is not one. */
function binanceError(answer: unknown): string | null {
  const a = answer as { code?: unknown; msg?: unknown } | null;
  return typeof a?.code === 'number' && a.code !== 0 && 'msg' in (a as object)
    ? `code ${a.code}: ${String(a.msg).slice(0, 200)}`
    : null;
}

/**
 * The expiry codes (YYMMDD) the exchange-information answer lists for a coin's options, in order: the live
 * fetcher asks for each one's open interest.
 */
export function binanceExpiries(exchangeInfo: unknown, coin: string, origin: string): string[] {
  const error = binanceError(exchangeInfo);
  if (error !== null) throw new InputError(`${origin}: Binance answered exchangeInfo with error ${error}`);
  const { checked, binanceExchangeInfo } = jsonSchemas();
  const info = checked(binanceExchangeInfo, exchangeInfo, {
    origin,
    format: 'Binance options exchange information',
    prefix: 'exchangeInfo',
  });
  const dates = info.optionSymbols
    .filter((s) => s.underlying === `${coin}USDT`)
    .map((s) => parseSymbol(s.symbol)?.date)
    .filter((d): d is string => d !== undefined);
  return [...new Set(dates)].sort();
}

export function parseBinanceJson(doc: unknown, opts: ParseOptions): OptionChain {
  const { origin } = opts;
  const parts = doc as Record<string, unknown>;
  for (const part of PARTS) {
    if (!(part in parts))
      throw new InputError(`${origin}: a Binance chain document without its "${part}" answer`);
  }
  const answers: [string, unknown][] = [
    ['exchangeInfo', parts['exchangeInfo']],
    ['mark', parts['mark']],
    ['index', parts['index']],
    ...Object.entries((parts['openInterest'] ?? {}) as Record<string, unknown>).map(
      ([expiry, answer]): [string, unknown] => [`openInterest.${expiry}`, answer],
    ),
  ];
  for (const [name, answer] of answers) {
    const error = binanceError(answer);
    if (error !== null) throw new InputError(`${origin}: Binance answered ${name} with error ${error}`);
  }
  const schemas = jsonSchemas();
  const check = <S extends z.ZodMiniType>(part: string, schema: S, format: string): z.infer<S> =>
    schemas.checked(schema, parts[part], { origin, format: `Binance ${format}`, prefix: part });
  const listed = check(
    'exchangeInfo',
    schemas.binanceExchangeInfo,
    'options exchange information',
  ).optionSymbols;
  const marks = check('mark', schemas.binanceMark, 'option marks');
  const index = check('index', schemas.binanceIndex, 'index price');
  const openInterest = check('openInterest', schemas.binanceOpenInterest, 'open interest');

  const instrument = (symbol: string, at: string): Instrument => {
    const inst = parseSymbol(symbol);
    if (!inst)
      throw new InputError(`${origin}: ${at}.symbol: ${JSON.stringify(symbol)} is not a Binance option`);
    return inst;
  };

  /** Contracts of open interest by symbol, where they were read; the coins they are options on. */
  const held = new Map<string, { contracts: number; at: string }>();
  const coins = new Set<string>();
  for (const [expiry, rows] of Object.entries(openInterest)) {
    rows.forEach((row, i) => {
      const at = `openInterest.${expiry}[${i}]`;
      const inst = instrument(row.symbol, at);
      if (inst.date !== expiry) {
        throw new InputError(
          `${origin}: ${at}.symbol ${JSON.stringify(row.symbol)} does not expire on ${expiry}, the expiry of its answer`,
        );
      }
      if (held.has(row.symbol)) {
        throw new InputError(
          `${origin}: ${at}: ${row.symbol} has its open interest given twice (also ${held.get(row.symbol)!.at})`,
        );
      }
      held.set(row.symbol, { contracts: row.sumOpenInterest, at });
      coins.add(inst.coin);
    });
  }
  if (coins.size === 0) {
    throw new InputError(`${origin}: no option in the openInterest answers: no chain to read`);
  }
  const underlyings = new Set([...coins].map((c) => `${c}USDT`));

  const iv = new Map<string, { iv: number; at: string }>();
  marks.forEach((row, i) => {
    const at = `mark[${i}]`;
    if (iv.has(row.symbol)) {
      throw new InputError(
        `${origin}: ${at}: ${row.symbol} has its mark given twice (also ${iv.get(row.symbol)!.at})`,
      );
    }
    iv.set(row.symbol, { iv: row.markIV, at });
  });

  const places: string[] = [];
  const chain = new IndexedChain(opts, 'binance', 'binance', (i) => places[i]!, {
    time: 'index time',
    index: 'index indexPrice (the index, spot)',
  });
  const add = (symbol: string, inst: Instrument, at: string) => {
    places.push(at);
    chain.add(
      {
        underlying: inst.coin,
        root: inst.coin,
        type: inst.type,
        strike: inst.strike,
        expiry: inst.expiry,
        openInterest: held.get(symbol)?.contracts ?? NaN,
        iv: iv.get(symbol)?.iv ?? NaN,
        multiplier: VENUES.binance.multiplier,
        forward: index.indexPrice,
        bid: NaN,
        ask: NaN,
      },
      places.length - 1,
      index.indexPrice,
      index.time,
    );
  };
  const expiries = new Set(Object.keys(openInterest));
  const seen = new Set<string>();
  listed.forEach((row, i) => {
    if (!underlyings.has(row.underlying)) return;
    const at = `exchangeInfo.optionSymbols[${i}]`;
    const inst = instrument(row.symbol, at);
    const named = (field: string, value: unknown, why: string) =>
      new InputError(`${origin}: ${at}.${field} ${JSON.stringify(value)} ${why} (${row.symbol})`);
    if (`${inst.coin}USDT` !== row.underlying)
      throw named('underlying', row.underlying, 'is not the coin of the symbol');
    if (row.strikePrice !== inst.strike)
      throw named('strikePrice', row.strikePrice, 'is not the strike of the symbol');
    if (row.side !== (inst.type === 'call' ? 'CALL' : 'PUT'))
      throw named('side', row.side, 'is not the side of the symbol');
    if (row.expiryDate !== inst.expiry) {
      const date = dateInZone(inst.expiry, 'UTC');
      throw named('expiryDate', row.expiryDate, `is not ${date}T08:00Z, the expiry the symbol names`);
    }
    if (row.unit !== 1) {
      throw named(
        'unit',
        row.unit,
        'coins a contract: only contracts of 1 coin are read, so open interest is never scaled by a guess',
      );
    }
    if (!expiries.has(inst.date)) {
      throw new InputError(
        `${origin}: openInterest holds no answer for expiry ${inst.date}, which ${at} lists (${row.symbol}): the chain would be read without it`,
      );
    }
    seen.add(row.symbol);
    add(row.symbol, inst, at);
  });
  // Open interest on an option the listing leaves out still counts against the coverage (§3): no volatility known
  // unless a mark was read.
  for (const [symbol, { at }] of held) {
    if (!seen.has(symbol)) add(symbol, instrument(symbol, at), at);
  }
  return chain.chain();
}
