import Handlebars from 'handlebars';
// juice/client: the same inliner without the remote-resource fetching (and its HTTP stack) of the full entry.
import juice from 'juice/client';
import htmlTemplate from '../../templates/email.hbs';
import textTemplate from '../../templates/email-text.hbs';
import type { HistoryPoint } from '../report/history';
import {
  formatFlipDistance,
  formatInstant,
  formatPct,
  formatPrice,
  formatStrike,
  formatUsd,
} from '../report/format';
import type { IndexEntry } from '../publish';
import { concentration, dealerBook, moveText, zeroDteLine } from '../report/summary';
import { marketZone } from '../record';
import type { ReportRecord } from '../types';

export interface Email {
  subject: string;
  html: string;
  text: string;
}

/** What changed for one underlying since its previous report: regime flips and walls broken by spot. */
export function alerts(record: ReportRecord, previous: HistoryPoint | null): string[] {
  if (previous === null) return [];
  const out: string[] = [];
  const sym = record.symbol;
  if (previous.regime !== record.regime) out.push(`${sym} flipped to ${record.regime} gamma`);
  const call = previous.callWall;
  if (call !== null && previous.spot < call && record.spot >= call)
    out.push(`${sym} broke the call wall ${formatStrike(call)}`);
  const put = previous.putWall;
  if (put !== null && previous.spot > put && record.spot <= put)
    out.push(`${sym} broke the put wall ${formatStrike(put)}`);
  return out;
}

/**
 * The subject's part for one underlying: `SPX +$16.1bn γ · flip 4,494 (+0.2%)`, the flip's distance in the
 * record's convention, (spot − flip) / spot.
 */
function headline(r: ReportRecord): string {
  const flip =
    r.flip.level === null
      ? 'no flip'
      : `flip ${formatStrike(Math.round(r.flip.level))} (${formatPct(r.flip.distancePct, 1)})`;
  return `${r.symbol} ${formatUsd(r.totals.netGex)} γ · ${flip}`;
}

/** The report record's history point just before it, if any. */
export function previousPoint(entry: IndexEntry): HistoryPoint | null {
  const earlier = entry.history.filter((p) => p.asOf < entry.record.asOf);
  return earlier[earlier.length - 1] ?? null;
}

function change(
  now: number | null,
  before: number | null | undefined,
  format: (n: number) => string,
): string {
  if (now === null || before === null || before === undefined) return '';
  const d = now - before;
  if (d === 0) return 'unchanged';
  return `${d > 0 ? '+' : '\u2212'}${format(Math.abs(d))}`;
}

const hbs = Handlebars.create();
const html = hbs.compile(htmlTemplate, { strict: true });
// Plain text is never parsed as HTML, so it is not HTML-escaped (an "&" stays an "&").
const text = hbs.compile(textTemplate, { strict: true, noEscape: true });

/**
 * The daily email: a subject that leads with what changed, then every underlying's levels with their change
 * since its previous report, links to the site, the snapshot times, the assumptions and the disclaimer.
 * HTML with the CSS inlined (tables, no script, no SVG) and a plain-text part with the same numbers.
 */
export function composeEmail(entries: readonly IndexEntry[], siteUrl: string, generatedAt: Date): Email {
  const base = siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`;
  const sorted = [...entries].sort((a, b) => a.record.symbol.localeCompare(b.record.symbol));
  const rows = sorted.map((entry) => {
    const r = entry.record;
    const prev = previousPoint(entry);
    const dir = encodeURIComponent(r.symbol);
    return {
      symbol: r.symbol,
      positive: r.regime === 'positive',
      regime: r.regime === 'positive' ? 'Positive gamma' : 'Negative gamma',
      regimeChanged: prev !== null && prev.regime !== r.regime,
      spot: formatPrice(r.spot),
      spotChange: prev ? `${formatPct(((r.spot - prev.spot) / prev.spot) * 100)}` : '',
      netGex: formatUsd(r.totals.netGex),
      netGexChange: change(r.totals.netGex, prev?.netGex, (n) => formatUsd(n).replace(/^[+\u2212]/, '')),
      flip:
        r.flip.level === null ? `none within ±${r.assumptions.profileRangePct}%` : formatPrice(r.flip.level),
      flipDistance: r.flip.level === null ? '' : formatFlipDistance(r.flip.distancePct),
      flipChange: change(r.flip.level, prev?.flip, formatPrice),
      callWall: formatStrike(r.levels.callWall),
      callWallChange: change(r.levels.callWall, prev?.callWall, formatStrike),
      putWall: formatStrike(r.levels.putWall),
      putWallChange: change(r.levels.putWall, prev?.putWall, formatStrike),
      maxPain: formatStrike(r.levels.maxPain),
      maxPainChange: change(r.levels.maxPain, prev?.maxPain, formatStrike),
      since: prev ? prev.date : null,
      asOf: formatInstant(r.asOf, marketZone(r.source)),
      pageUrl: `${base}${dir}/latest.html`,
      jsonUrl: `${base}${dir}/latest.json`,
      concentration: concentration(r),
      move: moveText(r, 'nextExpiry'),
      book: dealerBook(r)
        .filter((item) => item.label !== 'Net GEX')
        .map((item) => `${item.label.replace('Net ', '')} ${item.value}${item.unit ? ` ${item.unit}` : ''}`)
        .join(' · '),
      zeroDte: zeroDteLine(r),
      assumptions: `${r.assumptions.positioning} positioning, r = ${r.assumptions.riskFreeRate}, q = ${r.assumptions.dividendYield}, profile ±${r.assumptions.profileRangePct}%`,
      alerts: alerts(r, prev),
    };
  });
  const allAlerts = rows.flatMap((r) => r.alerts);
  const subject = [...allAlerts, ...sorted.map((e) => headline(e.record))].join(' · ');
  const context = {
    subject,
    alerts: allAlerts,
    rows,
    siteUrl: base,
    generatedAt: formatInstant(generatedAt.toISOString(), 'UTC'),
  };
  return { subject, html: juice(html(context)), text: text(context) };
}
