import Handlebars from 'handlebars';
import archiveTemplate from '../../templates/archive.hbs';
import chart from '../../templates/partials/chart.hbs';
import svg from '../../templates/partials/svg.hbs';
import heatmapSvg from '../../templates/partials/heatmap-svg.hbs';
import exposureTable from '../../templates/partials/exposure-table.hbs';
import footer from '../../templates/partials/footer.hbs';
import head from '../../templates/partials/head.hbs';
import indexTemplate from '../../templates/index.hbs';
import reportTemplate from '../../templates/report.hbs';
import type { ReportRecord, SkipReason } from '../types';
import { EXPOSURES } from '../gamma/exposure';
import {
  byExpiryChart,
  evidenceRatesChart,
  evidenceScatterChart,
  exposureByStrikeChart,
  figure,
  historyGexChart,
  heatmapChart,
  historyLevelsChart,
  oiChangeChart,
  profileChart,
  rateText,
  VENUE_CLASSES,
  venueByStrikeChart,
} from './charts';
import { EXPOSURE_TEXT } from './exposure-text';
import {
  changeLine,
  concentration,
  dealerBook,
  evidenceHeadline,
  evidenceSentence,
  formatRatio,
  moveText,
  pValueText,
  sessionText,
  zeroDteLine,
} from './summary';
import { evidenceOf, evidencePairsOf, type HistoryPoint } from './history';
import { MIN_PAIRS, type Evidence } from '../gamma/evidence';
import { MAX_APART_MS } from '../gamma/book';
import { DEFAULT_SETTINGS } from '../contract';
import { marketZone, reportDate, venueOf } from '../record';
import { VENUES } from '../venues';
import {
  COLUMNS,
  comparison,
  DEFAULT_FRESHNESS,
  embeddedJson,
  highlights,
  screenerTable,
  type Comparison,
  type Freshness,
  type Summary,
} from './screener';
import screenerScriptText from '../../templates/partials/screener-script.hbs';
import {
  formatAmount,
  formatCount,
  formatFlipDistance,
  formatInstant,
  formatPct,
  formatPrice,
  formatStrike,
  formatPercent,
  formatSigned,
  formatUsd,
  plural,
  SOURCE_NAMES,
} from './format';

/** One Handlebars environment for every page: its own helpers and partials, escaping on (no triple-stash). */
const hbs = Handlebars.create();
hbs.registerHelper({
  usd: (n: number) => formatUsd(n),
  price: (n: number | null) => formatPrice(n),
  strike: (n: number | null) => formatStrike(n),
  pct: (n: number | null) => formatPct(n),
  flipDistance: (n: number | null) => formatFlipDistance(n),
  count: (n: number) => formatCount(n),
  sign: (n: number) => (n > 0 ? 'pos' : n < 0 ? 'neg' : ''),
  concat: (...parts: unknown[]) => parts.slice(0, -1).join(''),
  add: (a: number, b: number) => a + b,
  mid: (a: number, b: number) => (a + b) / 2,
  neg: (a: number) => -a,
});
hbs.registerPartial({ head, footer, chart, svg, 'heatmap-svg': heatmapSvg, 'exposure-table': exposureTable });
const compileOptions = { strict: true } as const;
/**
 * The screener's script, a constant file, inserted as it is: its SHA-256 is the one script the site's
 * Content-Security-Policy allows (lib/site.ts hashes the same file).
 */
const screenerScript = new Handlebars.SafeString(screenerScriptText);
const reportPage = hbs.compile(reportTemplate, compileOptions);
const indexPage = hbs.compile(indexTemplate, compileOptions);
const archivePage = hbs.compile(archiveTemplate, compileOptions);

const SKIP_LABELS: Record<SkipReason, string> = {
  expired: 'expired',
  no_open_interest: 'no open interest',
  no_iv: 'no implied volatility',
  iv_out_of_range: 'implied volatility below 1% or above 500%',
  bad_price: 'missing strike or price',
};

const POSITIONING_TEXT = {
  classic: 'customers sell calls and buy puts, so dealers are long calls and short puts',
  'dealer-short': 'customers are net long every option, so dealers are short calls and puts',
};

const TOP_STRIKES = 15;
/** Expiry dates the by-expiry table shows at once (two weeks of daily expiries); the rest fold away below. */
const NEAR_EXPIRIES = 10;

export interface PageOptions {
  /** How recent the previous report must be to compare with. @default the settings' */
  freshness?: Freshness;
  /** Half-width of the GEX-by-strike chart around spot, in percent. @default the setting's */
  strikeWindowPct?: number;
  /** Earlier reports of the underlying and this one, in time order, for the history charts. @default none */
  history?: HistoryPoint[];
}

/** The HTML page of one report record. */
export function renderReportPage(record: ReportRecord, options: PageOptions = {}): string {
  const { strikeWindowPct = DEFAULT_SETTINGS.strikeWindowPct, history = [] } = options;
  const judged = comparison(record, record.change, options.freshness ?? DEFAULT_FRESHNESS);
  const zone = marketZone(record.source);
  const topStrikes = [...record.byStrike]
    .sort((a, b) => Math.abs(b.netGex) - Math.abs(a.netGex) || a.strike - b.strike)
    .slice(0, TOP_STRIKES)
    .map((row) => ({ ...row, label: formatStrike(row.strike) }));
  const expiries = record.byExpiry.map((row) => ({ ...row, label: row.expiry }));
  const [gamma, ...others] = EXPOSURES.map((e) => e.key);
  return reportPage({
    record,
    date: reportDate(record),
    positive: record.regime === 'positive',
    concentration: concentration(record),
    asOfMarket: formatInstant(record.asOf, zone),
    // The market's own time, and UTC beside it unless they are the same.
    asOfUtc: zone === 'UTC' ? null : formatInstant(record.asOf, 'UTC'),
    sourceName: SOURCE_NAMES[record.source],
    attributions: attributionsOf(record),
    venues: venuesPanel(record, strikeWindowPct),
    otherCrossings: record.flip.crossings
      .filter((x) => x !== record.flip.level)
      .map((level) => ({ level, distancePct: ((record.spot - level) / record.spot) * 100 })),
    nextMove: moveText(record, 'nextExpiry'),
    monthlyMove:
      record.expectedMove.nextMonthly?.expiry === record.expectedMove.nextExpiry?.expiry
        ? null
        : moveText(record, 'nextMonthly'),
    session: sessionText(record),
    since: sincePanel(record, judged),
    heatmap: figure((size) => heatmapChart(record, size)),
    heatmapCells: record.grid.expiries
      .flatMap((expiry, i) =>
        record.grid.strikes.map((strike, j) => ({ expiry, strike, netGex: record.grid.netGex[i]![j]! })),
      )
      .filter((c) => c.netGex !== 0)
      .sort((a, b) => Math.abs(b.netGex) - Math.abs(a.netGex))
      .slice(0, TOP_STRIKES),
    book: dealerBook(record),
    zeroDte: zeroDteLine(record),
    topStrikes,
    expiries: { near: expiries.slice(0, NEAR_EXPIRIES), later: expiries.slice(NEAR_EXPIRIES) },
    skipped: (Object.entries(record.dataQuality.skipped) as [SkipReason, number][])
      .filter(([, count]) => count > 0)
      .map(([reason, count]) => ({ label: SKIP_LABELS[reason], count })),
    positioningText: POSITIONING_TEXT[record.assumptions.positioning],
    strikeWindowPct,
    strikeChart: figure((size) => exposureByStrikeChart(record, gamma!, strikeWindowPct, size)),
    // Small multiples: one narrow drawing each, side by side on a desktop and stacked on a phone.
    companions: others.flatMap((key) => {
      const narrow = exposureByStrikeChart(record, key, strikeWindowPct, 'narrow');
      const text = EXPOSURE_TEXT[key];
      // Their levels and band are drawn as in the gamma chart above, whose legend names them.
      const bars = narrow?.legend.filter((l) => l.kind === 'box' && l.cls !== 'move');
      return narrow === null
        ? []
        : [{ narrow, legend: bars, caption: `Net ${text.short} by strike, ${text.unit}` }];
    }),
    profileChart: figure((size) => profileChart(record, size)),
    expiryChart: figure((size) => byExpiryChart(record, size)),
    historyLevels: figure((size) => historyLevelsChart(record.symbol, history, size)),
    historyGex: figure((size) => historyGexChart(record.symbol, history, size)),
    evidence: evidencePanel(record, history),
  });
}

/** The data notices of the venues a record's book was read from. */
function attributionsOf(record: ReportRecord): string[] {
  const venues = record.venues?.map((v) => v.venue) ?? [venueOf(record.source)];
  return [...new Set(venues.map((v) => VENUES[v].attribution))];
}

/**
 * The "Venues" section of a crypto book (docs/methodology.md §17): a row per venue with its snapshot, counts,
 * sums and share of gross gamma, the venues left out and why, and the stacked chart by strike when the book
 * has two venues or more. Null without a venue breakdown (Cboe).
 */
function venuesPanel(record: ReportRecord, strikeWindowPct: number) {
  if (record.venues === undefined) return null;
  const name = (v: { venue: keyof typeof VENUES }) => VENUES[v.venue].name;
  const leftOut = (record.venuesLeftOut ?? []).map((l) => ({ name: name(l), reason: l.reason }));
  const read = record.venues.map(name);
  return {
    rows: record.venues.map((v, i) => ({
      ...v,
      name: name(v),
      cls: VENUE_CLASSES[i % VENUE_CLASSES.length],
      asOf: formatInstant(v.asOf, 'UTC'),
      share: formatPercent(v.share * 100, 1),
    })),
    read: read.join(', '),
    leftOut,
    several: read.length > 1,
    spotFrom: VENUES[venueOf(record.source)].name,
    maxApartMinutes: MAX_APART_MS / 60_000,
    chart: figure((size) => venueByStrikeChart(record, strikeWindowPct, size)),
  };
}

/** A share as a percentage with one decimal, or a dash for none. */
const share = (n: number | null) => (n === null ? '—' : formatPercent(n * 100, 1));

/**
 * The "Evidence" section (docs/methodology.md §16): the regime evidence of the reports up to this one, read in
 * one sentence, the two regimes side by side, the tests, and the two charts.
 */
function evidencePanel(record: ReportRecord, history: readonly HistoryPoint[]) {
  const e: Evidence = evidenceOf(record.symbol, record.source, history);
  const pairs = evidencePairsOf(record.source, history);
  const zone = marketZone(record.source);
  const side = (name: 'positive' | 'negative') => {
    const r = e.byRegime[name];
    return { n: r.n, meanAbs: share(r.meanAbsReturn), rms: share(r.rmsReturn), vol: share(r.annualisedVol) };
  };
  const mw = e.mannWhitney;
  return {
    sentence: evidenceSentence(evidenceHeadline(e)),
    enough: e.pairs >= MIN_PAIRS,
    minPairs: MIN_PAIRS,
    span:
      e.from === null || e.to === null
        ? null
        : `${formatInstant(e.from, zone)} to ${formatInstant(e.to, zone)}`,
    gaps: `${e.minGapHours} to ${e.maxGapHours} hours`,
    positive: side('positive'),
    negative: side('negative'),
    ratio: e.volRatio === null ? '—' : formatRatio(e.volRatio),
    mannWhitney:
      mw === null
        ? null
        : `U = ${Number.isInteger(mw.u) ? mw.u : mw.u.toFixed(1)}, z = ${formatSigned(mw.z)}, ${pValueText(mw.p)}`,
    spearman: e.spearman === null ? null : { rho: formatSigned(e.spearman.rho), n: e.spearman.n },
    rates: (['expectedMove', 'callWall', 'putWall'] as const).map((key) => rateText(e, key)),
    scatter: figure((size) => evidenceScatterChart(record.symbol, pairs, e, size)),
    rateChart: figure((size) => evidenceRatesChart(record.symbol, e, size)),
  };
}

/** A level's move since the previous report: `4,232.03 → 4,494.30`, up or down, and by how much. */
function moved(
  name: string,
  now: number | null,
  d: number | null,
  show: (n: number | null) => string,
  size: (n: number) => string = show,
) {
  const before = now === null || d === null ? null : now - d;
  return {
    name,
    text: `${show(before)} → ${show(now)}`,
    diff: d === null ? '' : d === 0 ? 'unchanged' : `${d > 0 ? '↑' : '↓'} ${size(Math.abs(d))}`,
    cls: d === null || d === 0 ? '' : d > 0 ? 'pos' : 'neg',
  };
}

/** The "Since the previous report" panel: figures when it is recent enough, else how old it is; null for a first report. */
function sincePanel(record: ReportRecord, judged: Comparison | null) {
  const c = record.change;
  if (c === null || judged === null) return null;
  return {
    fresh: judged.fresh,
    age: judged.age,
    previous: formatInstant(c.previousAsOf, marketZone(record.source)),
    line: changeLine(record, judged),
    items: [
      moved('Spot', record.spot, c.spot, formatPrice),
      moved(
        'Net GEX',
        record.totals.netGex,
        c.netGex,
        (n) => (n === null ? '—' : formatUsd(n)),
        formatAmount,
      ),
      moved('Gamma flip', record.flip.level, c.flip, formatPrice),
      moved('Call wall', record.levels.callWall, c.callWall, formatStrike),
      moved('Put wall', record.levels.putWall, c.putWall, formatStrike),
    ],
    chart: figure((size) => oiChangeChart(record, size)),
  };
}

/** An underlying's archive: every report in its history, newest first. */
export function renderArchivePage(
  symbol: string,
  history: readonly HistoryPoint[],
  source: ReportRecord['source'],
): string {
  return archivePage({
    symbol,
    rows: [...history].reverse(),
    attributions: [VENUES[venueOf(source)].attribution],
  });
}

/** A highlight list as links: `SPY (−0.12%)`. */
function linked(list: Summary[], note: (s: Summary) => string) {
  return list.map((s) => ({
    symbol: s.row.symbol,
    href: `${encodeURIComponent(s.row.symbol)}/latest.html`,
    note: note(s),
  }));
}

/**
 * The index page: a screener of every underlying, one row each with its regime, levels and exposures and a
 * sparkline of spot and flip; sortable and filterable by a small inline script (allowed by its hash in the
 * CSP), and complete without it. Highlights first: regime changes, the names nearest their flip, 0DTE.
 */
export function renderIndexPage(entries: readonly Summary[], generatedAt: Date): string {
  const sorted = [...entries].sort((a, b) => a.row.symbol.localeCompare(b.row.symbol));
  const { firstPage, data } = screenerTable(sorted);
  const h = highlights(sorted);
  const venues = [...new Set(entries.map((e) => e.row.venue))].sort();
  const negative = entries.filter((e) => e.row.regime === 'negative').length;
  return indexPage({
    rows: firstPage,
    total: formatCount(entries.length),
    paged: entries.length > firstPage.length,
    pageRows: firstPage.length,
    data: new Handlebars.SafeString(embeddedJson(data)),
    lead:
      `${plural(entries.length, 'underlying', 'underlyings')} by dealer gamma; ` +
      (negative === 0
        ? 'none is in negative gamma.'
        : `${formatCount(negative)} ${negative === 1 ? 'is' : 'are'} in negative gamma, where dealers’ hedging feeds moves.`),
    columns: COLUMNS.map((c) => ({
      ...c,
      sortable: c.sortValue !== undefined,
    })),
    highlights: [
      {
        title: 'Regime turned since the previous report',
        items: linked(h.turned, (s) => `now ${s.row.regime}`),
      },
      { title: 'Nearest to their flip', items: linked(h.nearFlip, (s) => formatPct(s.row.flipDistancePct)) },
      {
        title: 'Most gamma expiring today',
        items: linked(h.zeroDte, (s) => `${formatPercent(s.row.zeroDteShare * 100, 0)} 0DTE`),
      },
    ].filter((list) => list.items.length > 0),
    script: screenerScript,
    generatedAt: formatInstant(generatedAt.toISOString(), 'UTC'),
    attributions: venues.map((v) => VENUES[v].attribution),
  });
}
