import Handlebars from 'handlebars';
import archiveTemplate from '../../templates/archive.hbs';
import chart from '../../templates/partials/chart.hbs';
import svg from '../../templates/partials/svg.hbs';
import footer from '../../templates/partials/footer.hbs';
import head from '../../templates/partials/head.hbs';
import indexTemplate from '../../templates/index.hbs';
import reportTemplate from '../../templates/report.hbs';
import type { ReportRecord, SkipReason } from '../types';
import { EXPOSURES } from '../gamma/exposure';
import {
  byExpiryChart,
  exposureByStrikeChart,
  figure,
  historyGexChart,
  historyLevelsChart,
  profileChart,
  sparkline,
} from './charts';
import { EXPOSURE_TEXT } from './exposure-text';
import { concentration, dealerBook, moveText, zeroDteLine } from './summary';
import type { HistoryPoint } from './history';
import { DEFAULT_SETTINGS } from '../contract';
import { marketZone, reportDate, venueOf } from '../record';
import { VENUES } from '../venues';
import type { IndexEntry } from '../publish';
import {
  formatCount,
  formatFlipDistance,
  formatInstant,
  formatPct,
  formatPrice,
  formatStrike,
  formatUsd,
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
hbs.registerPartial({ head, footer, chart, svg });
const compileOptions = { strict: true } as const;
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

export interface PageOptions {
  /** Half-width of the GEX-by-strike chart around spot, in percent. @default the setting's */
  strikeWindowPct?: number;
  /** Earlier reports of the underlying and this one, in time order, for the history charts. @default none */
  history?: HistoryPoint[];
}

/** The HTML page of one report record. */
export function renderReportPage(record: ReportRecord, options: PageOptions = {}): string {
  const { strikeWindowPct = DEFAULT_SETTINGS.strikeWindowPct, history = [] } = options;
  const zone = marketZone(record.source);
  const topStrikes = [...record.byStrike]
    .sort((a, b) => Math.abs(b.netGex) - Math.abs(a.netGex) || a.strike - b.strike)
    .slice(0, TOP_STRIKES);
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
    attributions: [VENUES[venueOf(record.source)].attribution],
    otherCrossings: record.flip.crossings
      .filter((x) => x !== record.flip.level)
      .map((level) => ({ level, distancePct: ((record.spot - level) / record.spot) * 100 })),
    nextMove: moveText(record, 'nextExpiry'),
    monthlyMove:
      record.expectedMove.nextMonthly?.expiry === record.expectedMove.nextExpiry?.expiry
        ? null
        : moveText(record, 'nextMonthly'),
    book: dealerBook(record),
    zeroDte: zeroDteLine(record),
    topStrikes,
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
  });
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

/** The index page: the latest record of each underlying, by symbol, with a sparkline of its history. */
export function renderIndexPage(entries: readonly IndexEntry[], generatedAt: Date): string {
  const rows = [...entries]
    .sort((a, b) => a.record.symbol.localeCompare(b.record.symbol))
    .map(({ record, history }) => {
      const dir = encodeURIComponent(record.symbol);
      return {
        record,
        positive: record.regime === 'positive',
        href: `${dir}/latest.html`,
        jsonHref: `${dir}/latest.json`,
        archiveHref: `${dir}/index.html`,
        asOf: formatInstant(record.asOf, marketZone(record.source)),
        spark: sparkline(record.symbol, history),
      };
    });
  const venues = [...new Set(entries.map((e) => venueOf(e.record.source)))].sort();
  return indexPage({
    rows,
    generatedAt: formatInstant(generatedAt.toISOString(), 'UTC'),
    attributions: venues.map((v) => VENUES[v].attribution),
  });
}
