import type * as z from 'zod/mini';
import type { OptionChain, OptionContract } from '../types';
import { datedOption, IndexedChain, jsonSchemas, type DatedOption, type ParseOptions } from './common';
import { InputError } from '../errors';
import { VENUES } from '../venues';

/**
 * OKX's options (inverse, coin-settled), normalised as docs/methodology.md §17 says, from the answers of four
 * public endpoints kept together in one document under their names, as the live fetcher assembles them:
 * `opt-summary` (`markVol`, a decimal, and `fwdPx`, the expiry's forward), `open-interest` (`oi` in contracts),
 * `index-tickers` (the index, spot) and, optionally, `tickers` (the best bid and ask, which let the spot be
 * checked against the forwards, §3). Open interest in coins is `oi × ctMult × ctVal`. Gamma is always the
 * product's own, from `markVol` on `fwdPx` (§4): OKX's `gamma` field is in other units than `gammaBS` and is
 * never read.
 */

/** The parts of an OKX chain document: the endpoint names of lambda/venues.ts. */
const PARTS = ['opt-summary', 'open-interest', 'index-tickers'] as const;

/**
 * Coins per contract (ctMult × ctVal) of each instrument family, from OKX's instrument list: BTC-USD options are
 * 0.01 BTC each, ETH-USD 0.1 ETH (ctMult 1). Each row's `oiCcy` (coins) is checked against it, so a changed
 * contract size is refused rather than read 10 times too large.
 */
const COINS_PER_CONTRACT: Readonly<Record<string, number>> = { 'BTC-USD': 0.01, 'ETH-USD': 0.1 };

/** `BTC-USD-250425-80000-C`: the family, the expiry date (YYMMDD), the strike, call or put. */
const INST_ID =
  /^(?<family>(?<coin>[A-Z0-9]+)-USD)-(?<yy>\d\d)(?<mm>\d\d)(?<dd>\d\d)-(?<strike>\d+(?:\.\d+)?)-(?<cp>[CP])$/;

/** Whether a parsed JSON document is an OKX chain document (its parts by endpoint name). */
export function looksLikeOkxJson(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'opt-summary' in doc;
}

interface Instrument extends DatedOption {
  family: string;
}

function parseInstId(instId: string): Instrument | null {
  const option = datedOption('okx', INST_ID, instId);
  return option && { ...option, family: String(option['family']) };
}

/** An answer OKX marked as an error (`code` not "0"), named; null when it is not one. */
function okxError(answer: unknown): string | null {
  const a = answer as { code?: unknown; msg?: unknown } | null;
  return typeof a?.code === 'string' && a.code !== '0'
    ? `code ${a.code}: ${String(a.msg).slice(0, 200)}`
    : null;
}

export function parseOkxJson(doc: unknown, opts: ParseOptions): OptionChain {
  const { origin } = opts;
  const parts = doc as Record<string, unknown>;
  for (const part of PARTS) {
    if (!(part in parts))
      throw new InputError(`${origin}: an OKX chain document without its "${part}" answer`);
  }
  for (const part of [...PARTS, 'tickers']) {
    const error = okxError(parts[part]);
    if (error !== null) throw new InputError(`${origin}: OKX answered ${part} with error ${error}`);
  }
  const schemas = jsonSchemas();
  const check = <S extends z.ZodMiniType>(part: string, schema: S, format: string): z.infer<S> =>
    schemas.checked(schema, parts[part], { origin, format: `OKX ${format}`, prefix: part });
  const summary = check('opt-summary', schemas.okxSummary, 'option summary').data;
  const openInterest = check('open-interest', schemas.okxOpenInterest, 'open interest').data;
  const index = check('index-tickers', schemas.okxIndex, 'index ticker').data[0]!;
  const quotes = parts['tickers'] === undefined ? [] : check('tickers', schemas.okxTickers, 'tickers').data;

  const instrument = (instId: string, at: string): Instrument => {
    const inst = parseInstId(instId);
    if (!inst)
      throw new InputError(`${origin}: ${at}.instId: ${JSON.stringify(instId)} is not an OKX option`);
    if (inst.family !== index.instId) {
      throw new InputError(
        `${origin}: ${at}.instId ${JSON.stringify(instId)} is not of the index's family ${JSON.stringify(index.instId)}`,
      );
    }
    return inst;
  };

  /** Coins of open interest by instId, where they were read. */
  const coins = new Map<string, { coins: number; at: string }>();
  openInterest.forEach((row, i) => {
    const at = `open-interest.data[${i}]`;
    const inst = instrument(row.instId, at);
    const perContract = COINS_PER_CONTRACT[inst.family];
    if (perContract === undefined) {
      throw new InputError(
        `${origin}: ${at}.instId ${JSON.stringify(row.instId)}: no contract size known for ${inst.family}`,
      );
    }
    const held = row.oi * perContract;
    if (
      row.oiCcy !== undefined &&
      Number.isFinite(row.oiCcy) &&
      Math.abs(held - row.oiCcy) > 1e-9 + 1e-6 * held
    ) {
      throw new InputError(
        `${origin}: ${at}: oi ${row.oi} contracts of ${perContract} ${inst.coin} is ${held} ${inst.coin}, but oiCcy says ${row.oiCcy}: the contract size is not the one this reader knows`,
      );
    }
    if (coins.has(row.instId)) {
      throw new InputError(
        `${origin}: ${at}: ${row.instId} has its open interest given twice (also ${coins.get(row.instId)!.at})`,
      );
    }
    coins.set(row.instId, { coins: held, at });
  });
  const quoted = new Map(quotes.map((q) => [q.instId, q]));

  const places: string[] = [];
  const chain = new IndexedChain(opts, 'okx', 'okx', (i) => places[i]!, {
    time: 'opt-summary ts',
    index: 'index-tickers idxPx (the index, spot)',
  });
  const contract = (instId: string, inst: Instrument, iv: number, forward: number): OptionContract => {
    const quote = quoted.get(instId);
    return {
      underlying: inst.coin,
      root: inst.coin,
      type: inst.type,
      strike: inst.strike,
      expiry: inst.expiry,
      openInterest: coins.get(instId)?.coins ?? NaN,
      iv,
      multiplier: VENUES.okx.multiplier,
      forward,
      bid: quote?.bidPx ?? NaN,
      ask: quote?.askPx ?? NaN,
    };
  };
  summary.forEach((row, i) => {
    const at = `opt-summary.data[${i}]`;
    const inst = instrument(row.instId, at);
    if (row.uly !== inst.family) {
      throw new InputError(
        `${origin}: ${at}.uly ${JSON.stringify(row.uly)} does not match the instrument ${JSON.stringify(row.instId)}`,
      );
    }
    places.push(at);
    chain.add(contract(row.instId, inst, row.markVol, row.fwdPx), i, index.idxPx, row.ts);
  });
  // Open interest on an option the summary leaves out still counts against the coverage (§3): no volatility.
  const summarised = new Set(summary.map((r) => r.instId));
  const unsummarised = [...coins.keys()].filter((id) => !summarised.has(id));
  for (const instId of unsummarised) {
    const { at } = coins.get(instId)!;
    places.push(at);
    chain.add(contract(instId, instrument(instId, at), NaN, NaN), places.length - 1, index.idxPx, NaN);
  }
  return chain.chain();
}
