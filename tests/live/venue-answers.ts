import { readFixture } from '../helpers';

/**
 * Whole-chain answers of Bybit, OKX, Binance and Deribit's USDC book for the loopback and reader tests, built by scaling a real Deribit chain into each
 * venue's shape (no real whole OKX or Binance chain is public; the real messages in tests/fixtures/venues pin the fields):
 * the Deribit BTC book of 2026-03-13 (samples/deribit_BTC_2026-03-13.json), each contract's coins of open
 * interest times `share`, its mark IV, forward, index and snapshot time as Deribit gave them, in the venue's
 * names and units (docs/methodology.md §17).
 */

interface DeribitRow {
  instrument_name: string;
  open_interest: number | null;
  mark_iv: number | null;
  underlying_price: number | null;
  estimated_delivery_price: number;
  creation_timestamp: number;
  bid_price?: number | null;
  ask_price?: number | null;
  mark_price?: number | null;
}

const rows = () =>
  (JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as { result: DeribitRow[] }).result;
/** A number as the venues write it: a string, `` for none. */
const text = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
const latest = (r: DeribitRow[]) => Math.max(...r.map((x) => x.creation_timestamp));

/** The Bybit `/v5/market/tickers?category=option&baseCoin=BTC` answer (quotes in USD). */
export function bybitAnswer(share: number): string {
  const r = rows();
  const list = r.map((x) => ({
    symbol: x.instrument_name,
    bid1Price: text(x.bid_price == null ? null : x.bid_price * x.estimated_delivery_price),
    ask1Price: text(x.ask_price == null ? null : x.ask_price * x.estimated_delivery_price),
    markIv: text(x.mark_iv === null ? null : x.mark_iv / 100),
    underlyingPrice: text(x.underlying_price),
    indexPrice: text(x.estimated_delivery_price),
    openInterest: text(x.open_interest === null ? null : x.open_interest * share),
  }));
  return JSON.stringify({ retCode: 0, retMsg: 'OK', result: { category: 'option', list }, time: latest(r) });
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** `BTC-13MAR26-70000-C` as OKX names it: `BTC-USD-260313-70000-C`. */
function instId(name: string): string {
  const [coin, date, strike, cp] = name.split('-') as [string, string, string, string];
  const m = /^(\d{1,2})([A-Z]{3})(\d\d)$/.exec(date)!;
  const mm = String(MONTHS.indexOf(m[2]!) + 1).padStart(2, '0');
  return `${coin}-USD-${m[3]}${mm}${m[1]!.padStart(2, '0')}-${strike}-${cp}`;
}

/** The OKX answers by endpoint name (BTC-USD contracts are 0.01 BTC; quotes in BTC). */
export function okxAnswers(
  share: number,
): Record<'opt-summary' | 'open-interest' | 'index-tickers' | 'tickers', string> {
  const r = rows();
  const answer = (data: unknown[]) => JSON.stringify({ code: '0', msg: '', data });
  const contracts = (x: DeribitRow) => Math.round(((x.open_interest ?? 0) * share) / 0.01);
  return {
    'opt-summary': answer(
      r.map((x) => ({
        instId: instId(x.instrument_name),
        uly: 'BTC-USD',
        markVol: text(x.mark_iv === null ? null : x.mark_iv / 100),
        fwdPx: text(x.underlying_price),
        gamma: '4.2',
        ts: String(x.creation_timestamp),
      })),
    ),
    'open-interest': answer(
      r.map((x) => ({
        instId: instId(x.instrument_name),
        instType: 'OPTION',
        oi: String(contracts(x)),
        oiCcy: String(contracts(x) / 100),
        ts: String(x.creation_timestamp),
      })),
    ),
    'index-tickers': answer([
      { instId: 'BTC-USD', idxPx: text(r[0]!.estimated_delivery_price), ts: String(latest(r)) },
    ]),
    tickers: answer(
      r.map((x) => ({
        instId: instId(x.instrument_name),
        bidPx: text(x.bid_price),
        askPx: text(x.ask_price),
      })),
    ),
  };
}

/** `BTC-13MAR26-70000-C` as Binance names it: `BTC-260313-70000-C`. */
const binanceSymbol = (name: string) => instId(name).replace('-USD-', '-');

/**
 * The Binance answers by endpoint name, open interest by expiry code (contracts of 1 BTC, in steps of 0.01; marks
 * in USDT). Binance values every option on the index, so no row carries Deribit's per-expiry forward. An ETH
 * option in the listing and the marks stands for the other underlyings those answers hold.
 */
export function binanceAnswers(share: number): {
  exchangeInfo: string;
  mark: string;
  index: string;
  openInterest: Record<string, string>;
} {
  const r = rows();
  const expiryOf = (symbol: string) => symbol.split('-')[1]!;
  const eth = { symbol: 'ETH-260327-2000-C', underlying: 'ETHUSDT', strikePrice: '2000', side: 'CALL' };
  const optionSymbols = r.map((x) => {
    const symbol = binanceSymbol(x.instrument_name);
    const [, date, strike, cp] = symbol.split('-') as [string, string, string, string];
    const expiryDate = Date.UTC(
      2000 + Number(date.slice(0, 2)),
      Number(date.slice(2, 4)) - 1,
      Number(date.slice(4)),
      8,
    );
    return {
      symbol,
      underlying: 'BTCUSDT',
      strikePrice: strike,
      side: cp === 'C' ? 'CALL' : 'PUT',
      expiryDate,
      unit: 1,
      quoteAsset: 'USDT',
    };
  });
  optionSymbols.push({ ...eth, expiryDate: Date.UTC(2026, 2, 27, 8), unit: 1, quoteAsset: 'USDT' });
  const index = r[0]!.estimated_delivery_price;
  const openInterest: Record<
    string,
    { symbol: string; sumOpenInterest: string; sumOpenInterestUsd: string; timestamp: string }[]
  > = {};
  for (const x of r) {
    const symbol = binanceSymbol(x.instrument_name);
    const contracts = Math.round((x.open_interest ?? 0) * share * 100) / 100;
    (openInterest[expiryOf(symbol)] ??= []).push({
      symbol,
      sumOpenInterest: String(contracts),
      sumOpenInterestUsd: String(contracts * index),
      timestamp: String(Math.floor(latest(r) / 60000) * 60000),
    });
  }
  const marks = r.map((x) => ({
    symbol: binanceSymbol(x.instrument_name),
    markPrice: text(x.mark_price == null ? null : x.mark_price * index),
    markIV: text(x.mark_iv === null ? null : x.mark_iv / 100),
  }));
  marks.push({ symbol: eth.symbol, markPrice: '35.5', markIV: '0.6' });
  return {
    exchangeInfo: JSON.stringify({ timezone: 'UTC', serverTime: latest(r), optionSymbols }),
    mark: JSON.stringify(marks),
    index: JSON.stringify({ time: latest(r), indexPrice: String(index) }),
    openInterest: Object.fromEntries(Object.entries(openInterest).map(([e, a]) => [e, JSON.stringify(a)])),
  };
}

/** A recorded Binance file: the answers together under their endpoint names. */
export function binanceDocument(share: number): string {
  const a = binanceAnswers(share);
  const openInterest = Object.fromEntries(
    Object.entries(a.openInterest).map(([e, t]) => [e, JSON.parse(t) as unknown]),
  );
  return JSON.stringify({
    exchangeInfo: JSON.parse(a.exchangeInfo) as unknown,
    mark: JSON.parse(a.mark) as unknown,
    index: JSON.parse(a.index) as unknown,
    openInterest,
  });
}

/** Binance's BTC answers by the paths the venue table names under `prefix`, open interest at each expiry's path. */
export function binancePaths(share: number, prefix: string): Record<string, string> {
  const a = binanceAnswers(share);
  return {
    [`${prefix}/eapi/v1/exchangeInfo`]: a.exchangeInfo,
    [`${prefix}/eapi/v1/mark`]: a.mark,
    [`${prefix}/eapi/v1/index?underlying=BTCUSDT`]: a.index,
    ...Object.fromEntries(
      Object.entries(a.openInterest).map(([e, body]) => [
        `${prefix}/eapi/v1/openInterest?underlyingAsset=BTC&expiration=${e}`,
        body,
      ]),
    ),
  };
}

/**
 * The coins a Deribit USDC book of the tests holds, each the real BTC book at a price scale: strikes, forwards,
 * index and quotes (in USDC) times `scale`, coins of open interest over it, so each contract's GEX in USD is the
 * BTC contract's (Black-76 gamma goes as 1/F: OI × Γ × F² is unchanged) and every level is the BTC one times
 * `scale`. XRP's strikes have decimals, written with `d` as Deribit writes them (`1d775`).
 */
export const USDC_COINS = { SOL: 1 / 500, XRP: 1 / 40_000 } as const;

/**
 * Deribit's `get_book_summary_by_currency?currency=USDC&kind=option` answer: one answer holding every USDC-linear
 * coin's options (`SOL_USDC-13MAR26-142-C`), as docs/methodology.md §17 reads it; `coins` picks which.
 */
export function deribitUsdcAnswer(coins: readonly (keyof typeof USDC_COINS)[] = ['SOL', 'XRP']): string {
  const r = rows();
  const price = (v: number | null | undefined, k: number) => (v == null ? v : v * k);
  const result = coins.flatMap((coin) => {
    const k = USDC_COINS[coin];
    return r.map((x) => {
      const [, date, strike, cp] = x.instrument_name.split('-') as [string, string, string, string];
      const book = `${coin}_USDC`;
      // Quotes: the BTC row's coin fraction in USD, then scaled.
      const usd = (v: number | null | undefined) => price(price(v, x.estimated_delivery_price), k);
      return {
        instrument_name: `${book}-${date}-${String(Number(strike) * k).replace('.', 'd')}-${cp}`,
        base_currency: coin,
        quote_currency: 'USDC',
        underlying_index: `SYN.${book}-${date}`,
        open_interest: x.open_interest === null ? null : x.open_interest / k,
        mark_iv: x.mark_iv,
        underlying_price: price(x.underlying_price, k),
        estimated_delivery_price: x.estimated_delivery_price * k,
        creation_timestamp: x.creation_timestamp,
        bid_price: usd(x.bid_price),
        ask_price: usd(x.ask_price),
        mark_price: usd(x.mark_price),
      };
    });
  });
  return JSON.stringify({ jsonrpc: '2.0', result });
}
