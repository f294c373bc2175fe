import { tradingDaysBetween } from '../calendar';
import { quoteSession } from '../gamma/analyse';
import { DEFAULT_SETTINGS, type Settings } from '../contract';
import type { Change } from '../gamma/change';
import { reportDate, venueOf } from '../record';
import type { ReportRecord } from '../types';
import type { SummaryFile } from '../record-schema';
import { GROUPS, VENUES } from '../venues';
import { SPARK_SIZE, sparkline, type Sparkline } from './charts';
import {
  formatHorizon,
  formatPct,
  formatPercent,
  formatPrice,
  formatStrike,
  formatUsd,
  venueCount,
} from './format';
import { evidenceOf, type HistoryPoint } from './history';
import { evidenceHeadline, formatRatio, formatTilt, horizonHours } from './summary';

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

/** A screener column on the index page: its label, how a row shows it, and the raw value it sorts by. */
export interface Column {
  label: string;
  show(r: ScreenerRow): string;
  sortValue?: (r: ScreenerRow) => number | null;
  /** Sort largest first on the first click (sizes); smallest first otherwise (names, distances). */
  first?: 'desc';
  /** Explanation on hover. */
  hint?: string;
}

const usdColumn = (label: string, key: 'netGex' | 'netDex' | 'netVex' | 'netCex', hint: string): Column => ({
  label,
  show: (r) => formatUsd(r[key]),
  sortValue: (r) => r[key],
  first: 'desc',
  hint,
});

/** The index page's screener columns after the underlying's name, in order. */
export const COLUMNS: readonly Column[] = [
  { label: 'Regime', show: (r) => r.regime },
  { label: 'Spot', show: (r) => formatPrice(r.spot), sortValue: (r) => r.spot },
  usdColumn('Net GEX', 'netGex', 'USD dealers trade per 1% move; positive damps moves, negative feeds them'),
  {
    label: 'Tilt',
    show: (r) => formatTilt(r.tilt),
    sortValue: (r) => r.tilt,
    hint: 'Net over gross gamma, −1 to +1: compares underlyings of any size',
  },
  { label: 'Flip', show: (r) => formatPrice(r.flip), sortValue: (r) => r.flip },
  {
    label: 'Spot vs flip',
    show: (r) => formatPct(r.flipDistancePct),
    // Closest first: the names nearest to turning.
    sortValue: (r) => (r.flipDistancePct === null ? null : Math.abs(r.flipDistancePct)),
    hint: '(spot − flip) / spot; sorts by distance, nearest first',
  },
  { label: 'Call wall', show: (r) => formatStrike(r.callWall), sortValue: (r) => r.callWall },
  { label: 'Put wall', show: (r) => formatStrike(r.putWall), sortValue: (r) => r.putWall },
  {
    label: '0DTE',
    show: (r) => (r.zeroDteShare > 0 ? formatPercent(r.zeroDteShare * 100, 0) : '—'),
    sortValue: (r) => r.zeroDteShare,
    first: 'desc',
    hint: 'Share of gross gamma expiring on the snapshot’s date',
  },
  {
    label: 'Exp. move',
    show: (r) =>
      r.expectedMovePct === null
        ? '—'
        : `±${formatPercent(r.expectedMovePct)}${r.expectedMoveHours == null ? '' : ` in ${formatHorizon(r.expectedMoveHours)}`}`,
    sortValue: (r) => r.expectedMovePct,
    first: 'desc',
    hint: 'One standard deviation to the next expiry, in percent of spot, and how far ahead that expiry is',
  },
  usdColumn('Net DEX', 'netDex', 'Dealers’ dollar delta before hedging'),
  usdColumn('Net VEX', 'netVex', 'Change of dealers’ delta for +1 volatility point'),
  usdColumn('Net CEX', 'netCex', 'Change of dealers’ delta per calendar day'),
  {
    label: 'Vol ratio',
    show: (r) => (r.volRatio === null || r.volRatio === undefined ? '—' : formatRatio(r.volRatio)),
    sortValue: (r) => r.volRatio ?? null,
    first: 'desc',
    hint: 'Annualised volatility after negative-gamma reports over that after positive ones, in this store’s history',
  },
];

/** Rows the index page draws at once; without its script it lists the first of them by name. */
export const PAGE_ROWS = 100;

/**
 * A sparkline's points go into the page's data one character each: the whole pixel plus this, as a character
 * code (x up to 86 and y up to 26 stay within printable ASCII, `y`); a space where the flip has none.
 */
export const SPARK_BASE = 35;

/**
 * A sparkline as three strings of one character per report: its x, spot's y and flip's y. The polylines
 * are the characters read back in pairs, a flip line broken where its string has a space.
 */
export function packSpark(spark: Sparkline, hasFlip: readonly boolean[]): [string, string, string] {
  const pairs = (points: string) =>
    points.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
  const char = (v: number) => String.fromCharCode(SPARK_BASE + v);
  const spot = pairs(spark.spot);
  const flip = spark.flip.flatMap(pairs);
  let next = 0;
  return [
    spot.map(([x]) => char(x)).join(''),
    spot.map(([, y]) => char(y)).join(''),
    hasFlip.map((has) => (has ? char(flip[next++]![1]) : ' ')).join(''),
  ];
}

/**
 * Each value's place in ascending order, equal values sharing one, none without a value: the page sorts
 * every row by these, exactly as by the values, without carrying them.
 */
export function ranks(values: readonly (number | null)[]): (number | null)[] {
  const distinct = [...new Set(values.filter((v): v is number => v !== null))].sort((a, b) => a - b);
  const place = new Map(distinct.map((v, i) => [v, i]));
  return values.map((v) => (v === null ? null : place.get(v)!));
}

/**
 * One row of the page's data: symbol, venue count, date, regime, each column's text, each column's rank
 * (null where it does not sort or has no value), and the packed sparkline with its label, or null.
 */
export type DataRow = [
  string,
  string | null,
  string,
  ScreenerRow['regime'],
  string[],
  (number | null)[],
  [string, string, string, string] | null,
];

/** Every row of the screener, as the index page embeds it for its script to sort, filter and page. */
export interface ScreenerData {
  columns: { label: string; badge?: true; tone?: true }[];
  spark: { width: number; height: number; base: number };
  pageRows: number;
  rows: DataRow[];
}

/** A row as the page draws it without its script. */
export interface ViewRow {
  symbol: string;
  href: string;
  venues: string | null;
  date: string;
  regime: ScreenerRow['regime'];
  cells: { label: string; text: string; badge: boolean; cls: string }[];
  spark: Sparkline | null;
}

/** Columns in the colour of the row's regime. */
const TONED = new Set(['Net GEX', 'Tilt']);
const BADGE = 'Regime';

/** The screener's rows by symbol: the first page to draw without the script, and every row as data. */
export function screenerTable(entries: readonly Summary[]): { firstPage: ViewRow[]; data: ScreenerData } {
  const sorted = [...entries].sort((a, b) => a.row.symbol.localeCompare(b.row.symbol));
  const view = (s: Summary): ViewRow => ({
    symbol: s.row.symbol,
    href: `${encodeURIComponent(s.row.symbol)}/latest.html`,
    venues: venueCount(s.row.venues),
    date: s.row.date,
    regime: s.row.regime,
    cells: COLUMNS.map((c) => ({
      label: c.label,
      text: c.show(s.row),
      badge: c.label === BADGE,
      cls: TONED.has(c.label) ? (s.row.regime === 'positive' ? 'pos' : 'neg') : '',
    })),
    spark: sparkline(s.row.symbol, s.spark),
  });
  const views = sorted.map(view);
  const byColumn = COLUMNS.map((c) => (c.sortValue ? ranks(sorted.map((s) => c.sortValue!(s.row))) : null));
  const rows = sorted.map((s, i): DataRow => {
    const v = views[i]!;
    return [
      v.symbol,
      v.venues,
      v.date,
      v.regime,
      v.cells.map((c) => c.text),
      byColumn.map((r) => r?.[i] ?? null),
      v.spark
        ? [
            ...packSpark(
              v.spark,
              s.spark.map((p) => p.flip !== null),
            ),
            v.spark.label,
          ]
        : null,
    ];
  });
  return {
    firstPage: views.slice(0, PAGE_ROWS),
    data: {
      columns: COLUMNS.map((c) => ({
        label: c.label,
        ...(c.label === BADGE ? { badge: true as const } : {}),
        ...(TONED.has(c.label) ? { tone: true as const } : {}),
      })),
      spark: { ...SPARK_SIZE, base: SPARK_BASE },
      pageRows: PAGE_ROWS,
      rows,
    },
  };
}

/** The data as the text of a `<script type="application/json">`: no `<`, so nothing in it can end the element. */
export function embeddedJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}
