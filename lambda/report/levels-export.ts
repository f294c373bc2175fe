import { reportDate } from '../record';
import type { ReportRecord } from '../types';

/**
 * The report's levels for charting tools: a small CSV (level, price) and a TradingView Pine Script that
 * draws them, written beside each report (`<date>.levels.csv`, `<date>.pine`) and as the latest
 * (`levels.csv`, `levels.pine`). Prices are the record's, unrounded.
 */

/** The levels in the order a chart reads them, each with its name; absent ones are left out. */
function levels(r: ReportRecord): [string, number][] {
  const m = r.expectedMove.nextExpiry;
  const rows: [string, number | null][] = [
    ['spot', r.spot],
    ['gamma flip', r.flip.level],
    ['call wall', r.levels.callWall],
    ['put wall', r.levels.putWall],
    ['absolute gamma strike', r.levels.absGammaStrike],
    ['max pain', r.levels.maxPain],
    [`expected move lower (${m?.expiry ?? ''})`, m?.lower ?? null],
    [`expected move upper (${m?.expiry ?? ''})`, m?.upper ?? null],
  ];
  return rows.filter((row): row is [string, number] => row[1] !== null);
}

export function levelsCsv(r: ReportRecord): string {
  return ['level,price', ...levels(r).map(([name, price]) => `${name},${price}`)]
    .map((l) => `${l}\r\n`)
    .join('');
}

/**
 * A Pine Script (v5) indicator drawing the flip, the walls and the expected-move band as horizontal lines on
 * any chart of the underlying. The symbol is a ticker (letters, digits, `.`, `_`, `-`), safe in a string.
 */
export function pineScript(r: ReportRecord): string {
  const m = r.expectedMove.nextExpiry;
  const line = (price: number | null, title: string, color: string, style: string) =>
    price === null
      ? []
      : [`hline(${price}, "${title}", color=${color}, linestyle=hline.style_${style}, linewidth=2)`];
  return [
    '//@version=5',
    `// ${r.symbol} dealer gamma levels from the report of ${reportDate(r)} (Market Gamma Report; not investment advice).`,
    `indicator("${r.symbol} gamma levels ${reportDate(r)}", overlay=true)`,
    ...line(r.flip.level, 'Gamma flip', 'color.orange', 'dashed'),
    ...line(r.levels.callWall, 'Call wall', 'color.green', 'dashed'),
    ...line(r.levels.putWall, 'Put wall', 'color.red', 'dashed'),
    ...(m === null
      ? []
      : [
          `lower = hline(${m.lower}, "Expected move lower", color=color.new(color.blue, 50), linestyle=hline.style_dotted)`,
          `upper = hline(${m.upper}, "Expected move upper", color=color.new(color.blue, 50), linestyle=hline.style_dotted)`,
          `fill(lower, upper, color=color.new(color.blue, 90), title="Expected move to ${m.expiry}")`,
        ]),
    '',
  ].join('\n');
}
