import { tradingDaysBetween } from '../calendar';
import { quoteSession } from '../gamma/analyse';
import { DEFAULT_SETTINGS, type Settings } from '../contract';
import type { Change } from '../gamma/change';
import { reportDate, venueOf } from '../record';
import type { ReportRecord } from '../types';
import type { SummaryFile } from '../record-schema';
import { GROUPS, VENUES } from '../venues';
import { evidenceOf, type HistoryPoint } from './history';
import { evidenceHeadline, horizonHours } from './summary';

/**
 * One underlying on the screener (index.html, screener.json, screener.csv): its latest report in the few
 * fields a watchlist is ranked by. Written per underlying as `<SYM>/summary.json` when it publishes, so the
 * index is built from one small object per underlying, whatever the size of the archive. Its shape is
 * `summaryFile` in lambda/record-schema.ts.
 */
export type Summary = SummaryFile;
export type ScreenerRow = Summary['row'];

/** How recent the previous report must be for a comparison: trading sessions under an exchange calendar, else hours. */
export interface Freshness {
  sessions: number;
  hours: number;
}

/** The freshness the settings ask for. */
export function freshnessOf(settings: Settings): Freshness {
  return { sessions: settings.changeMaxSessionsEquity, hours: settings.changeMaxAgeHoursCrypto };
}

export const DEFAULT_FRESHNESS: Freshness = freshnessOf(DEFAULT_SETTINGS);

/** Whether a change compares with a recent enough report, and how old that report is in words. */
export interface Comparison {
  fresh: boolean;
  /** `1 session earlier`, `26 hours earlier`, `731 days earlier`. */
  age: string;
}

/** The change of the record judged for freshness; null when it has none. */
export function comparison(
  record: ReportRecord,
  change: Change | null,
  limits: Freshness,
): Comparison | null {
  if (change === null) return null;
  const venue = VENUES[venueOf(record.source)];
  const hours = (Date.parse(record.asOf) - Date.parse(change.previousAsOf)) / 3600000;
  const days = Math.floor(hours / 24);
  const inDays = `${days} day${days === 1 ? '' : 's'} earlier`;
  if (GROUPS[venue.group].calendar === 'nyse') {
    // Trading sessions after the previous report's quote session up to this one's (§11); a change stored
    // before it carried that session counts from the session open at the previous snapshot.
    const previous =
      change.previousSession ?? quoteSession(venueOf(record.source), Date.parse(change.previousAsOf));
    const sessions = tradingDaysBetween(previous, record.session.quotes);
    const fresh = sessions <= limits.sessions;
    return {
      fresh,
      age: fresh || days < 7 ? `${sessions} session${sessions === 1 ? '' : 's'} earlier` : inDays,
    };
  }
  const fresh = hours <= limits.hours;
  return { fresh, age: fresh || hours < 72 ? `${Math.round(hours)} hours earlier` : inDays };
}

/** Reports drawn in a screener sparkline. */
export const SPARK_POINTS = 30;

/** The screener's row of a report; `volRatio` is its underlying's regime evidence's (§16). */
export function screenerRow(r: ReportRecord, volRatio: number | null): ScreenerRow {
  return {
    symbol: r.symbol,
    venue: venueOf(r.source),
    venues: r.venues?.length ?? null,
    date: reportDate(r),
    asOf: r.asOf,
    regime: r.regime,
    spot: r.spot,
    netGex: r.totals.netGex,
    tilt: r.totals.tilt,
    flip: r.flip.level,
    flipDistancePct: r.flip.distancePct,
    callWall: r.levels.callWall,
    putWall: r.levels.putWall,
    zeroDteShare: r.zeroDte.share,
    expectedMovePct: r.expectedMove.nextExpiry ? (r.expectedMove.nextExpiry.move / r.spot) * 100 : null,
    expectedMoveHours: r.expectedMove.nextExpiry ? horizonHours(r.expectedMove.nextExpiry) : null,
    netDex: r.totals.netDex,
    netVex: r.totals.netVex,
    netCex: r.totals.netCex,
    volRatio,
  };
}

export function summarize(r: ReportRecord, history: readonly HistoryPoint[], limits: Freshness): Summary {
  const c = r.change;
  const judged = comparison(r, c, limits);
  const evidence = evidenceOf(r.symbol, r.source, history);
  return {
    row: screenerRow(r, evidence.volRatio),
    evidence: evidenceHeadline(evidence),
    spark: history.slice(-SPARK_POINTS).map(({ date, asOf, spot, flip }) => ({ date, asOf, spot, flip })),
    change:
      c === null || judged === null
        ? null
        : {
            previousAsOf: c.previousAsOf,
            spot: c.spot,
            netGex: c.netGex,
            flip: c.flip,
            callWall: c.callWall,
            putWall: c.putWall,
            ...judged,
          },
  };
}

/** The screener's columns, in order: the CSV header and how each row reads. */
export const SCREENER_COLUMNS: readonly (keyof ScreenerRow)[] = [
  'symbol',
  'venue',
  'venues',
  'date',
  'asOf',
  'regime',
  'spot',
  'netGex',
  'tilt',
  'flip',
  'flipDistancePct',
  'callWall',
  'putWall',
  'zeroDteShare',
  'expectedMovePct',
  'expectedMoveHours',
  'netDex',
  'netVex',
  'netCex',
  'volRatio',
];

/** The rows as CSV for spreadsheets (RFC 4180): raw numbers, empty for none, text quoted where needed. */
export function screenerCsv(rows: readonly ScreenerRow[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const text = String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [SCREENER_COLUMNS.join(','), ...rows.map((r) => SCREENER_COLUMNS.map((c) => cell(r[c])).join(','))]
    .map((line) => `${line}\r\n`)
    .join('');
}

/** Whether an underlying's regime turned since a previous report recent enough to compare with. */
export function regimeChanged(s: Summary): boolean {
  if (s.change === null || !s.change.fresh) return false;
  const before = s.row.netGex - s.change.netGex;
  return before > 0 !== s.row.netGex > 0;
}

/** What a long watchlist leads with, on the screener and in the email. */
export interface Highlights {
  /** Regime turned since a recent previous report. */
  turned: Summary[];
  /** Nearest to their flip, nearest first. */
  nearFlip: Summary[];
  /** Most gross gamma expiring on the snapshot's date. */
  zeroDte: Summary[];
  /** In negative gamma, most negative tilt first. */
  negative: Summary[];
}

/** Names in each highlight list. */
export const HIGHLIGHTS = 5;

export function highlights(entries: readonly Summary[]): Highlights {
  const top = (list: Summary[], by: (s: Summary) => number) =>
    list.sort((a, b) => by(a) - by(b) || a.row.symbol.localeCompare(b.row.symbol)).slice(0, HIGHLIGHTS);
  return {
    turned: entries.filter(regimeChanged),
    nearFlip: top(
      entries.filter((s) => s.row.flipDistancePct !== null),
      (s) => Math.abs(s.row.flipDistancePct!),
    ),
    zeroDte: top(
      entries.filter((s) => s.row.zeroDteShare > 0),
      (s) => -s.row.zeroDteShare,
    ),
    negative: top(
      entries.filter((s) => s.row.regime === 'negative'),
      (s) => s.row.tilt,
    ),
  };
}
