import type { OptionChain } from '../types';
import { IndexedChain, jsonSchemas, type ParseOptions } from './common';
import { parseInstrument } from './deribit';
import { InputError } from '../errors';
import { VENUES } from '../venues';

/**
 * Bybit's option tickers (`/v5/market/tickers?category=option&baseCoin=BTC`), normalised as docs/methodology.md
 * §17 says: open interest in coins (`openInterest`), `markIv` already a decimal, each expiry valued on its
 * `underlyingPrice`, 08:00 UTC expiries, multiplier 1; spot the median `indexPrice`, asOf the answer's `time`.
 * Options are named as on Deribit (`BTC-27JUN25-120000-P`); a USDT-settled series (`…-P-USDT`) is its own root.
 */

/** Whether a parsed JSON document is a Bybit option-tickers answer. */
export function looksLikeBybitJson(doc: unknown): boolean {
  const d = doc as { retCode?: unknown; result?: { category?: unknown } } | null;
  return typeof d?.retCode === 'number' && (d.retCode !== 0 || d.result?.category === 'option');
}

/** `BTC-27JUN25-120000-P` or `BTC-27JUN25-120000-P-USDT`: the Deribit-style name and the settlement coin. */
const SETTLED = /^(?<name>.+?)(?:-(?<settle>USDT))?$/;

export function parseBybitJson(doc: unknown, opts: ParseOptions, source?: string): OptionChain {
  const { origin } = opts;
  if (!looksLikeBybitJson(doc)) throw new InputError(`${origin}: not a Bybit option-tickers answer`);
  const answer = doc as { retCode: number; retMsg?: unknown };
  if (answer.retCode !== 0) {
    throw new InputError(
      `${origin}: Bybit answered retCode ${answer.retCode}: ${String(answer.retMsg).slice(0, 200)}`,
    );
  }
  const { bybitTickers, checked } = jsonSchemas();
  const { result, time } = checked(bybitTickers, doc, { origin, format: 'Bybit option tickers', source });
  const place = (i: number) => `result.list[${i}]`;
  const chain = new IndexedChain(opts, 'bybit', 'bybit', place, {
    time: 'time',
    index: 'indexPrice (the index, spot; the median over the rows)',
  });
  result.list.forEach((row, i) => {
    // A symbol with a line break matches no name at all.
    const { name, settle } = (SETTLED.exec(row.symbol)?.groups ?? {}) as { name?: string; settle?: string };
    const inst = name === undefined ? null : parseInstrument(name, 'bybit');
    if (!inst || inst.quote !== inst.base) {
      throw new InputError(
        `${origin}: ${place(i)}.symbol: ${JSON.stringify(row.symbol)} is not a Bybit option`,
      );
    }
    chain.add(
      {
        underlying: inst.base,
        root: settle ? `${inst.base}-${settle}` : inst.base,
        type: inst.type,
        strike: inst.strike,
        expiry: inst.expiry,
        openInterest: row.openInterest,
        iv: row.markIv,
        multiplier: VENUES.bybit.multiplier,
        forward: row.underlyingPrice,
        bid: row.bid1Price,
        ask: row.ask1Price,
      },
      i,
      row.indexPrice,
      time,
    );
  });
  return chain.chain();
}
