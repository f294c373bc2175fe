import { EXPOSURES } from '../gamma/exposure';
import type { ReportRecord } from '../types';
import { EXPOSURE_TEXT } from './exposure-text';
import { formatPercent, formatPrice, formatUsd } from './format';

/**
 * The derived sentences and figures every view shares (page, email, CLI, screener), so each says the same
 * thing in the same words.
 */

/** One figure of the dealers' book: its name, value, unit and what it means for hedging flows. */
export interface BookItem {
  label: string;
  value: string;
  unit: string;
  explain: string;
  sign: number;
}

/** Net GEX, DEX, VEX and CEX (one per entry of EXPOSURES) and the tilt, each with its plain meaning. */
export function dealerBook(r: ReportRecord): BookItem[] {
  return [
    ...EXPOSURES.map((e) => {
      const v = r.totals[`net${e.key}`];
      const text = EXPOSURE_TEXT[e.key];
      return {
        label: `Net ${text.short}`,
        value: formatUsd(v),
        unit: text.per,
        explain: text.explain(v),
        sign: Math.sign(v),
      };
    }),
    {
      label: 'Gamma tilt',
      value: formatTilt(r.totals.tilt),
      unit: '',
      explain: `Net over gross gamma, from −1 to +1: near +1 nearly all gamma damps moves, near −1 nearly all feeds them. It compares underlyings of any size.`,
      sign: Math.sign(r.totals.tilt),
    },
  ];
}

/** The tilt with its sign and two decimals: `+0.04`. */
export function formatTilt(tilt: number): string {
  const body = Math.abs(tilt).toFixed(2);
  return tilt > 0 ? `+${body}` : tilt < 0 ? `\u2212${body}` : body;
}

/**
 * When the next expiry carries most of the net gamma, or the regime would turn without it, the sentence a
 * trader needs beside the headline: a positive badge that dies tomorrow is no lasting regime. Else null.
 */
export function concentration(r: ReportRecord): string | null {
  const date = r.profile.nextExpiry;
  const row = r.byExpiry.find((e) => e.expiry === date);
  if (!row || r.totals.netGex === 0) return null;
  const without = r.totals.netGex - row.netGex;
  const flips = Math.sign(without) !== Math.sign(r.totals.netGex);
  if (!flips && Math.abs(row.netGex) <= 0.5 * Math.abs(r.totals.netGex)) return null;
  const share = row.netGex / r.totals.netGex;
  const part = share > 0 && share <= 1 ? ` (${Math.round(share * 100)}%)` : '';
  const turn = flips ? `: the ${r.regime} regime rests on that one expiry` : '';
  return `The next expiry, ${date}, carries ${formatUsd(row.netGex)} of the ${formatUsd(r.totals.netGex)} net GEX${part}; without it net GEX is ${formatUsd(without)} per 1% move${turn}.`;
}

export interface MoveText {
  expiry: string;
  /** `±22.93` */
  move: string;
  /** `±0.51%` of spot. */
  pct: string;
  /** `4,482.18 to 4,528.03` */
  band: string;
  /** `9.83%` */
  iv: string;
}

/** An expected move (docs/methodology.md §10) for display; null stays null. */
export function moveText(r: ReportRecord, which: 'nextExpiry' | 'nextMonthly'): MoveText | null {
  const m = r.expectedMove[which];
  if (m === null) return null;
  return {
    expiry: m.expiry,
    move: `±${formatPrice(m.move)}`,
    pct: `±${formatPercent((m.move / r.spot) * 100)}`,
    band: `${formatPrice(m.lower)} to ${formatPrice(m.upper)}`,
    iv: formatPercent(m.atmIv * 100),
  };
}

/** `0DTE: 12% of gross gamma, net −$1.2bn`, or null when nothing expires on the snapshot's date. */
export function zeroDteLine(r: ReportRecord): string | null {
  const z = r.zeroDte;
  if (z.callGex === 0 && z.putGex === 0) return null;
  return `0DTE: ${Math.round(z.share * 100)}% of gross gamma, net ${formatUsd(z.netGex)}`;
}
