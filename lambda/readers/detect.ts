import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ChainInput, OptionChain } from '../types';
import { looksLikeCboeCsv, parseCboeCsv } from './cboe-csv';
import { looksLikeCboeJson, parseCboeJson } from './cboe-json';
import { looksLikeBinanceJson, parseBinanceJson } from './binance';
import { looksLikeBybitJson, parseBybitJson } from './bybit';
import { parseJson, type ParseOptions } from './common';
import { looksLikeDeribitCsv, looksLikeDeribitJson, parseDeribitCsv, parseDeribitJson } from './deribit';
import { looksLikeDeribitSnapshot, parseDeribitSnapshot } from './deribit-snapshot';
import { looksLikeOkxJson, parseOkxJson } from './okx';
import { InputError, printable } from '../errors';

/**
 * Any of the supported formats to its chains, recognised from the content, never the file name: one chain, or
 * one per currency for a Deribit snapshot CSV.
 */
export function parseChains(text: string, opts: ParseOptions): OptionChain[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new InputError(`${opts.origin}: the file is empty: no chain to read`);
  const start = body.trimStart()[0];
  if (start === '{' || start === '[') {
    const doc = parseJson(body, opts.origin);
    if (looksLikeCboeJson(doc)) return [parseCboeJson(doc, opts, body)];
    if (looksLikeDeribitJson(doc) || (doc as { error?: unknown })?.error) {
      return [parseDeribitJson(doc, opts, body)];
    }
    if (looksLikeBybitJson(doc)) return [parseBybitJson(doc, opts, body)];
    if (looksLikeOkxJson(doc)) return [parseOkxJson(doc, opts)];
    if (looksLikeBinanceJson(doc)) return [parseBinanceJson(doc, opts)];
    throw new InputError(
      `${opts.origin}: JSON that is none of a Cboe delayed-quotes chain (data.options), a Deribit book summary (result[].instrument_name), Bybit option tickers (retCode, result.category "option"), OKX option answers ("opt-summary", "open-interest", "index-tickers") or Binance option answers ("exchangeInfo", "mark", "index", "openInterest")`,
    );
  }
  if (looksLikeDeribitSnapshot(body)) return parseDeribitSnapshot(body, opts);
  if (looksLikeDeribitCsv(body)) return [parseDeribitCsv(body, opts)];
  if (looksLikeCboeCsv(body)) return [parseCboeCsv(body, opts)];
  throw new InputError(
    `${opts.origin}: unknown format: expected a Cboe delayed-quotes JSON, a Cboe "Download CSV", a Deribit book summary or snapshot (JSON or CSV), Bybit option tickers, OKX or Binance option answers (JSON)`,
  );
}

/** The one chain of a text; a file holding several (a snapshot of BTC and ETH) is refused, naming them. */
export function parseChainText(text: string, opts: ParseOptions): OptionChain {
  const chains = parseChains(text, opts);
  if (chains.length !== 1) {
    throw new InputError(
      `${opts.origin}: the file holds ${chains.map((c) => c.symbol).join(' and ')} chains, where one was expected`,
    );
  }
  return chains[0]!;
}

/**
 * The most a recorded file may hold, and a gzipped one expand to: a full SPX chain is about 30 MB, and a live
 * answer is refused past 64 MiB (lambda/live/http.ts). A gzip bomb stops here, before it fills the memory.
 */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

const inflate = promisify(gunzip);

/**
 * A recorded file's text: gzip (recognised by its first two bytes, 1f 8b, never by its name) is inflated, and
 * neither the file nor what it inflates to may pass MAX_FILE_BYTES. `label` names the file in errors.
 */
export async function readChainFile(path: string, label: string, maxBytes = MAX_FILE_BYTES): Promise<string> {
  const file = await open(path, 'r');
  let bytes: Buffer;
  try {
    const { size } = await file.stat();
    if (size > maxBytes) {
      throw new InputError(`${label}: ${size} bytes, more than any chain (${maxBytes} bytes at most)`);
    }
    bytes = await file.readFile();
  } finally {
    await file.close();
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.toString('utf8');
  try {
    return (await inflate(bytes, { maxOutputLength: maxBytes })).toString('utf8');
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    if (error.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputError(
        `${label}: gzip that inflates to more than ${maxBytes} bytes: more than any chain, refused unread`,
      );
    }
    throw new InputError(`${label}: damaged gzip (${error.message})`);
  }
}

/**
 * A recorded file as one input of the pipeline, read and parsed when its turn comes (`--file`): its chain,
 * or one per currency for a Deribit snapshot CSV. `now` is the moment of the run, for the snapshot's
 * plausibility (docs/methodology.md §3). The path is printed made printable: a newline in a file name must
 * not break the one-line failure.
 */
export function fileInput(
  path: string,
  overrides: Pick<ParseOptions, 'asOf' | 'symbol'> = {},
  now: () => Date = () => new Date(),
): ChainInput {
  const label = printable(path);
  return {
    label,
    origin: 'file',
    load: async () => {
      let text: string;
      try {
        text = await readChainFile(path, label);
      } catch (e) {
        const error = e as NodeJS.ErrnoException;
        error.message =
          error.code === 'EISDIR'
            ? 'a folder, not a file: give each chain file with its own -f'
            : printable(error.message);
        throw error;
      }
      return parseChains(text, { ...overrides, origin: label, now: now().getTime() });
    },
  };
}
