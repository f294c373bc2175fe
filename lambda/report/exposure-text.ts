import type { ExposureKey } from '../gamma/exposure';
import { formatAmount } from './format';

/**
 * How pages and the email name and explain each exposure (docs/methodology.md §4, §9): its short name, unit,
 * and what its sign means for the dealers' hedging, in plain words. One entry per entry of EXPOSURES.
 */
export const EXPOSURE_TEXT: Record<
  ExposureKey,
  { short: string; name: string; unit: string; per: string; explain(value: number): string }
> = {
  Gex: {
    short: 'GEX',
    name: 'Gamma exposure',
    unit: 'USD per 1% move',
    per: 'per 1% move',
    explain: (v) =>
      v > 0
        ? `Dealers are long gamma: to stay hedged they sell about ${formatAmount(v)} into each 1% rise and buy as much into each 1% fall, which damps moves.`
        : `Dealers are short gamma: to stay hedged they buy about ${formatAmount(v)} into each 1% rise and sell as much into each 1% fall, which feeds moves.`,
  },
  Dex: {
    short: 'DEX',
    name: 'Delta exposure',
    unit: 'USD',
    per: '',
    explain: (v) =>
      `Dealers’ options leave them ${v >= 0 ? 'long' : 'short'} ${formatAmount(v)} of the underlying; their hedge is a ${v >= 0 ? 'short' : 'long'} position of about that size.`,
  },
  Vex: {
    short: 'VEX',
    name: 'Vanna exposure',
    unit: 'USD per volatility point',
    per: 'per vol point',
    explain: (v) =>
      `If implied volatility rises 1 point, dealers’ delta ${v >= 0 ? 'grows' : 'shrinks'} by ${formatAmount(v)}, so they ${v >= 0 ? 'sell' : 'buy'} about that much to stay hedged; a 1-point fall means the opposite.`,
  },
  Cex: {
    short: 'CEX',
    name: 'Charm exposure',
    unit: 'USD per day',
    per: 'per day',
    explain: (v) =>
      `Each calendar day that passes, dealers’ delta ${v >= 0 ? 'grows' : 'shrinks'} by ${formatAmount(v)}: with prices unchanged they ${v >= 0 ? 'sell' : 'buy'} about that much to stay hedged.`,
  },
};
