import Handlebars from 'handlebars';
import footer from '../../templates/partials/footer.hbs';
import head from '../../templates/partials/head.hbs';
import indexTemplate from '../../templates/index.hbs';
import reportTemplate from '../../templates/report.hbs';
import type { ReportRecord, SkipReason } from '../types';
import { dateInZone } from '../venues';
import {
  ATTRIBUTION,
  formatCount,
  formatFlipDistance,
  formatInstant,
  formatPct,
  formatPrice,
  formatStrike,
  formatUsd,
  marketZone,
  SOURCE_NAMES,
  venueOf,
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
});
hbs.registerPartial({ head, footer });
const compileOptions = { strict: true } as const;
const reportPage = hbs.compile(reportTemplate, compileOptions);
const indexPage = hbs.compile(indexTemplate, compileOptions);

const SKIP_LABELS: Record<SkipReason, string> = {
  expired: 'expired',
  no_open_interest: 'no open interest',
  no_iv: 'no implied volatility',
  iv_out_of_range: 'implied volatility above 500%',
  bad_price: 'missing strike or price',
};

const POSITIONING_TEXT = {
  classic: 'customers sell calls and buy puts, so dealers are long calls and short puts',
  'dealer-short': 'customers are net long every option, so dealers are short calls and puts',
};

const TOP_STRIKES = 15;

/** The calendar date that names a record's files: asOf in the market's zone (New York or UTC). */
export function reportDate(record: ReportRecord): string {
  return dateInZone(Date.parse(record.asOf), marketZone(record.source));
}

/** The HTML page of one report record. */
export function renderReportPage(record: ReportRecord): string {
  const zone = marketZone(record.source);
  const topStrikes = [...record.byStrike]
    .sort((a, b) => Math.abs(b.netGex) - Math.abs(a.netGex) || a.strike - b.strike)
    .slice(0, TOP_STRIKES);
  return reportPage({
    record,
    date: reportDate(record),
    positive: record.regime === 'positive',
    asOfMarket: formatInstant(record.asOf, zone),
    asOfUtc: formatInstant(record.asOf, 'UTC'),
    sourceName: SOURCE_NAMES[record.source],
    attributions: [ATTRIBUTION[venueOf(record.source)]],
    otherCrossings: record.flip.crossings
      .filter((x) => x !== record.flip.level)
      .map((level) => ({ level, distancePct: ((record.spot - level) / record.spot) * 100 })),
    topStrikes,
    skipped: (Object.entries(record.dataQuality.skipped) as [SkipReason, number][])
      .filter(([, count]) => count > 0)
      .map(([reason, count]) => ({ label: SKIP_LABELS[reason], count })),
    positioningText: POSITIONING_TEXT[record.assumptions.positioning],
  });
}

/** The index page: the latest record of each underlying, by symbol. */
export function renderIndexPage(latest: readonly ReportRecord[], generatedAt: Date): string {
  const rows = [...latest]
    .sort((a, b) => a.symbol.localeCompare(b.symbol))
    .map((record) => ({
      record,
      href: `${encodeURIComponent(record.symbol)}/latest.html`,
      jsonHref: `${encodeURIComponent(record.symbol)}/latest.json`,
      asOf: formatInstant(record.asOf, marketZone(record.source)),
    }));
  const venues = [...new Set(latest.map((r) => venueOf(r.source)))].sort();
  return indexPage({
    rows,
    generatedAt: formatInstant(generatedAt.toISOString(), 'UTC'),
    attributions: venues.map((v) => ATTRIBUTION[v]),
  });
}
