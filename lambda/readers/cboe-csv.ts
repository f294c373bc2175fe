import type { OptionChain, OptionContract } from '../types';
import { parseCboeDate } from './cboe-date';
import { chainSymbol, num, parseCsv, requireSpot, validateContracts, type ParseOptions } from './common';
import { InputError } from '../errors';
import { cboeContract, parseOsi } from './osi';

const HEADER = /^"?Expiration Date"?\s*,/;

/** The index of the chain's column header, found by content (downloads vary in their first lines). */
function headerLine(lines: readonly string[]): number {
  return lines.findIndex((l) => HEADER.test(l));
}

/** Whether a text is a Cboe "Download CSV" of a chain. */
export function looksLikeCboeCsv(text: string): boolean {
  return headerLine(text.split(/\r?\n/, 40)) >= 0;
}

interface SideColumns {
  symbol: number;
  iv: number;
  gamma: number;
  openInterest: number;
}

/** Call and put columns share names; each side's are the named columns after its `Calls`/`Puts` column. */
function sideColumns(header: readonly string[], side: 'Calls' | 'Puts', origin: string): SideColumns {
  const symbol = header.indexOf(side);
  const end = side === 'Calls' ? header.indexOf('Strike') : header.length;
  const find = (name: string): number => {
    const i = header.indexOf(name, symbol + 1);
    if (symbol < 0 || i < 0 || (end >= 0 && i > end)) {
      throw new InputError(`${origin}: the header has no "${name}" column for ${side.toLowerCase()}`);
    }
    return i;
  };
  return { symbol, iv: find('IV'), gamma: find('Gamma'), openInterest: find('Open Interest') };
}

/** A Cboe "Download CSV" (one row per expiry and strike, call and put side by side) to a chain. */
export function parseCboeCsv(text: string, opts: ParseOptions): OptionChain {
  const lines = text.split(/\r?\n/);
  const h = headerLine(lines);
  if (h < 0) throw new InputError(`${opts.origin}: no "Expiration Date,Calls,..." header line`);
  const preamble = lines.slice(0, h);

  const lastLine = preamble.find((l) => /Last:/.test(l));
  const spotMatch = lastLine ? /Last:\s*([-\d.,]+)/.exec(lastLine) : null;
  const spot = requireSpot(
    spotMatch ? Number((spotMatch[1] as string).replace(/,/g, '')) : NaN,
    opts.origin,
    'the "Last:" value (spot) before the header',
  );

  let asOf = opts.asOf;
  if (asOf === undefined) {
    const dateIndex = preamble.findIndex((l) => /Date:/.test(l));
    const dateText =
      dateIndex < 0
        ? null
        : (/Date:\s*(.*?)(?:,\s*(?:Bid|Ask|Size|Volume):.*)?$/.exec(
            (preamble[dateIndex] as string).replace(/"/g, ''),
          )?.[1] ?? '');
    const parsed = dateText === null ? null : parseCboeDate(dateText);
    if (parsed === null) {
      const where =
        dateText === null
          ? 'there is no "Date:" line'
          : `line ${dateIndex + 1}, "Date: ${dateText}", cannot be read`;
      throw new InputError(
        `${opts.origin}: ${where}; pass --as-of with the snapshot instant, e.g. --as-of 2023-09-14T20:31:00Z`,
      );
    }
    asOf = parsed;
  }

  const header = parseCsv<string[]>(lines[h] as string, opts.origin, {})[0]?.map((c) => c.trim()) ?? [];
  const calls = sideColumns(header, 'Calls', opts.origin);
  const puts = sideColumns(header, 'Puts', opts.origin);
  const records = parseCsv<{ record: string[]; info: { lines: number } }>(
    lines.slice(h + 1).join('\n'),
    opts.origin,
    {
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    },
  );

  const contracts: OptionContract[] = [];
  for (const { record, info } of records) {
    for (const side of [calls, puts]) {
      const symbol = record[side.symbol]?.trim();
      if (!symbol) continue;
      const osi = parseOsi(symbol);
      if (!osi) {
        throw new InputError(
          `${opts.origin}: line ${h + 1 + info.lines}: ${JSON.stringify(symbol)} is not an OSI option symbol`,
        );
      }
      contracts.push(
        cboeContract(
          osi,
          {
            openInterest: num(record[side.openInterest]),
            iv: num(record[side.iv]),
            vendorGamma: num(record[side.gamma]),
          },
          spot,
        ),
      );
    }
  }
  validateContracts(contracts, opts.origin);
  return { symbol: chainSymbol(contracts, opts), source: 'cboe-csv', venue: 'cboe', asOf, spot, contracts };
}
