import { readFile } from 'node:fs/promises';
import type { ChainInput, OptionChain } from '../types';
import { looksLikeCboeCsv, parseCboeCsv } from './cboe-csv';
import { looksLikeCboeJson, parseCboeJson } from './cboe-json';
import { parseJson, type ParseOptions } from './common';
import { looksLikeDeribitCsv, looksLikeDeribitJson, parseDeribitCsv, parseDeribitJson } from './deribit';
import { InputError, printable } from '../errors';

/** Any of the supported formats to a chain, recognised from the content, never the file name. */
export function parseChainText(text: string, opts: ParseOptions): OptionChain {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new InputError(`${opts.origin}: the file is empty: no chain to read`);
  const start = body.trimStart()[0];
  if (start === '{' || start === '[') {
    const doc = parseJson(body, opts.origin);
    if (looksLikeCboeJson(doc)) return parseCboeJson(doc, opts, body);
    if (looksLikeDeribitJson(doc) || (doc as { error?: unknown })?.error) {
      return parseDeribitJson(doc, opts, body);
    }
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

/**
 * A recorded file as one input of the pipeline, read and parsed when its turn comes (`--file`). `now` is the
 * moment of the run, for the snapshot's plausibility (docs/methodology.md §3). The path is printed made
 * printable: a newline in a file name must not break the one-line failure.
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
        text = await readFile(path, 'utf8');
      } catch (e) {
        const error = e as NodeJS.ErrnoException;
        error.message =
          error.code === 'EISDIR'
            ? 'a folder, not a file: give each chain file with its own -f'
            : printable(error.message);
        throw error;
      }
      return parseChainText(text, { ...overrides, origin: label, now: now().getTime() });
    },
  };
}
