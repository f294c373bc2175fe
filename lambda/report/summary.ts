import { EXPOSURES } from '../gamma/exposure';
import type { ReportRecord } from '../types';
import { EXPOSURE_TEXT } from './exposure-text';
import { DateTime } from 'luxon';
import { marketZone } from '../record';
import {
  formatCount,
  formatHorizon,
  formatPercent,
  formatPrice,
  formatSigned,
  formatStrike,
  formatUsd,
} from './format';
import type { Comparison } from './screener';
import { MIN_PAIRS, type Evidence } from '../gamma/evidence';
import type { SummaryFile } from '../record-schema';

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
  /** How far ahead it looks: `23 h`; null for a record written before the horizon was recorded. */
  horizon: string | null;
}

/** An expected move's horizon in hours, from its T in years of 365 days (§10); absent in older records. */
export function horizonHours(m: { years?: number }): number | null {
  return m.years === undefined ? null : m.years * 365 * 24;
}

/** An expected move (docs/methodology.md §10) for display; null stays null. */
export function moveText(r: ReportRecord, which: 'nextExpiry' | 'nextMonthly'): MoveText | null {
  const m = r.expectedMove[which];
  if (m === null) return null;
  const hours = horizonHours(m);
  return {
    expiry: m.expiry,
    move: `±${formatPrice(m.move)}`,
    pct: `±${formatPercent((m.move / r.spot) * 100)}`,
    band: `${formatPrice(m.lower)} to ${formatPrice(m.upper)}`,
    iv: formatPercent(m.atmIv * 100),
    horizon: hours === null ? null : formatHorizon(hours),
  };
}

/** `0DTE: 12% of gross gamma, net −$1.2bn`, or null when nothing expires on the snapshot's date. */
export function zeroDteLine(r: ReportRecord): string | null {
  const z = r.zeroDte;
  if (z.callGex === 0 && z.putGex === 0) return null;
  return `0DTE: ${Math.round(z.share * 100)}% of gross gamma, net ${formatUsd(z.netGex)}`;
}

const day = (date: string) =>
  DateTime.fromISO(date, { zone: 'UTC' }).toFormat('ccc d LLL yyyy', { locale: 'en-US' });

/**
 * Which session the numbers belong to, in words: a Cboe file downloaded on a Sunday holds Friday's quotes
 * and Thursday's open interest, and says so. `Quotes from the Fri 6 Jun 2025 session, open interest from the
 * Thu 5 Jun 2025 close; downloaded Sun 8 Jun 2025 08:49 EDT.`
 */
export function sessionText(r: ReportRecord): string {
  const downloaded = DateTime.fromISO(r.asOf, { zone: 'UTC' })
    .setZone(marketZone(r.source))
    .toFormat('ccc d LLL yyyy HH:mm ZZZZ', { locale: 'en-US' });
  if (r.session.quotes === r.session.openInterest) return `Snapshot ${downloaded}; open interest as of then.`;
  return `Quotes from the ${day(r.session.quotes)} session, open interest from the ${day(r.session.openInterest)} close; downloaded ${downloaded}.`;
}

const signedCount = (n: number) => `${n > 0 ? '+' : n < 0 ? '\u2212' : ''}${formatCount(Math.abs(n))}`;

/**
 * The most important changes since the previous report in one line, when it is recent enough to compare:
 * `Flip +12.40 to 4,506.70; call wall 4,525 → 4,550; largest OI build: 4,500 puts +18,204`. For an older one,
 * how old it is and that nothing is compared; null for the first report.
 */
export function changeLine(r: ReportRecord, judged: Comparison | null): string | null {
  const c = r.change;
  if (c === null || judged === null) return null;
  if (!judged.fresh) return `The previous report is ${judged.age}: too old to compare.`;
  const parts: string[] = [];
  if (c.flip !== null && r.flip.level !== null && c.flip !== 0)
    parts.push(`Flip ${formatSigned(c.flip)} to ${formatPrice(r.flip.level)}`);
  for (const [name, now, d] of [
    ['call wall', r.levels.callWall, c.callWall],
    ['put wall', r.levels.putWall, c.putWall],
  ] as const) {
    if (now !== null && d !== null && d !== 0)
      parts.push(`${name} ${formatStrike(now - d)} → ${formatStrike(now)}`);
  }
  const build = c.oi.flatMap((s) => [
    { strike: s.strike, side: 'calls', d: s.callOi },
    { strike: s.strike, side: 'puts', d: s.putOi },
  ]);
  const largest = build.sort((a, b) => b.d - a.d)[0];
  if (largest && largest.d > 0)
    parts.push(`largest OI build: ${formatStrike(largest.strike)} ${largest.side} ${signedCount(largest.d)}`);
  if (parts.length === 0) return `No level moved since the previous report (${judged.age}).`;
  const line = parts.join('; ');
  return `${line[0]!.toUpperCase()}${line.slice(1)}.`;
}

/** What the evidence's one-sentence reading needs; the summary keeps it for the email. */
export type EvidenceHeadline = NonNullable<SummaryFile['evidence']>;

export function evidenceHeadline(e: Evidence): EvidenceHeadline {
  return {
    pairs: e.pairs,
    positive: e.byRegime.positive.n,
    negative: e.byRegime.negative.n,
    volRatio: e.volRatio,
    p: e.mannWhitney?.p ?? null,
  };
}

/** A p-value as a reader meets it: `p = 0.03`, `p = 0.004`, `p < 0.001`. */
export function pValueText(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(p < 0.01 ? 3 : 2)}`;
}

/** A ratio of volatilities: `1.6×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(ratio < 10 ? 2 : 1)}×`;
}

/**
 * The regime evidence read in one honest sentence (docs/methodology.md §16), the same on the page and in the
 * email: below MIN_PAIRS pairs only how many there are; else the ratio of the regimes' annualised moves and
 * the rank test's p-value, or why one cannot be given. "Over 41 pairs, negative-gamma days moved 1.62× as much
 * as positive-gamma days (p = 0.03)."
 */
export function evidenceSentence(h: EvidenceHeadline): string {
  if (h.pairs < MIN_PAIRS) {
    return `Not enough history: ${h.pairs} ${h.pairs === 1 ? 'pair' : 'pairs'} of reports, ${MIN_PAIRS} needed.`;
  }
  const over = `Over ${h.pairs} pairs of reports`;
  if (h.volRatio === null) {
    return h.positive < 2 || h.negative < 2
      ? `${over}, ${h.negative} started in negative gamma and ${h.positive} in positive: too few in one regime to compare.`
      : `${over}, the underlying did not move after any positive-gamma report: no ratio to give.`;
  }
  const test =
    h.p === null ? 'too few pairs in one regime for a rank test' : `Mann–Whitney ${pValueText(h.p)}`;
  return `${over}, negative-gamma days moved ${formatRatio(h.volRatio)} as much as positive-gamma days (annualised; ${test}).`;
}
