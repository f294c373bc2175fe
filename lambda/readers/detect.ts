import { readFile } from 'node:fs/promises';
import type { ChainInput, OptionChain } from '../types';
import { looksLikeCboeCsv, parseCboeCsv } from './cboe-csv';
import { looksLikeCboeJson, parseCboeJson } from './cboe-json';
import { parseJson, type ParseOptions } from './common';
import { looksLikeDeribitCsv, looksLikeDeribitJson, parseDeribitCsv, parseDeribitJson } from './deribit';
import { InputError } from '../errors';

/** Any of the supported formats to a chain, recognised from the content, never the file name. */
export function parseChainText(text: string, opts: ParseOptions): OptionChain {
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart()[0];
  if (start === '{' || start === '[') {
    const doc = parseJson(body, opts.origin);
    if (looksLikeCboeJson(doc)) return parseCboeJson(doc, opts);
    if (looksLikeDeribitJson(doc) || (doc as { error?: unknown })?.error) return parseDeribitJson(doc, opts);
    throw new InputError(
      `${opts.origin}: JSON that is neither a Cboe delayed-quotes chain (data.options) nor a Deribit book summary (result[].instrument_name)`,
    );
  }
  if (looksLikeDeribitCsv(body)) return parseDeribitCsv(body, opts);
  if (looksLikeCboeCsv(body)) return parseCboeCsv(body, opts);
  throw new InputError(
    `${opts.origin}: unknown format: expected a Cboe delayed-quotes JSON, a Cboe "Download CSV" or a Deribit book summary (JSON or CSV)`,
  );
}

/** A recorded file as one input of the pipeline, read and parsed when its turn comes (`--file`). */
export function fileInput(path: string, overrides: Omit<ParseOptions, 'origin'> = {}): ChainInput {
  return {
    label: path,
    origin: 'file',
    load: async () => parseChainText(await readFile(path, 'utf8'), { origin: path, ...overrides }),
  };
}
