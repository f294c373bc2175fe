import Handlebars from 'handlebars';
// juice/client: the same inliner without the remote-resource fetching (and its HTTP stack) of the full entry.
import juice from 'juice/client';
import htmlTemplate from '../../templates/email.hbs';
import textTemplate from '../../templates/email-text.hbs';
import {
  formatFlipDistance,
  formatInstant,
  formatPct,
  formatPrice,
  formatStrike,
  formatUsd,
  plural,
  venueCount,
} from '../report/format';
import { comparison, highlights, regimeChanged, type Freshness, type Summary } from '../report/screener';
import {
  changeLine,
  concentration,
  dealerBook,
  evidenceSentence,
  moveText,
  sessionText,
  zeroDteLine,
} from '../report/summary';
import { MIN_PAIRS } from '../gamma/evidence';
import type { ReportRecord } from '../types';

export interface Email {
  subject: string;
  html: string;
  text: string;
}

/** Up to this many underlyings the email has a block for each; beyond, it leads with the screener's highlights. */
export const DETAIL_LIMIT = 8;

/** How far past a wall spot must end for the wall to count as broken: this share of the expected move. */
export const WALL_BREAK_SHARE = 0.1;

/**
 * What changed for one underlying since a previous report recent enough to compare with: a regime that
 * turned, a wall that spot crossed from the other side and ended more than WALL_BREAK_SHARE of the expected
 * move to the next expiry past (docs/methodology.md §11), so a close a cent beyond a wall is no news; without
 * an expected move, no wall alert. None against an older report.
 */
export function alerts(s: Summary): string[] {
  const c = s.change;
  if (c === null || !c.fresh) return [];
  const r = s.row;
  const out: string[] = [];
  if (regimeChanged(s)) out.push(`${r.symbol} flipped to ${r.regime} gamma`);
  if (r.expectedMovePct === null) return out;
  const margin = (WALL_BREAK_SHARE * r.expectedMovePct * r.spot) / 100;
  const before = r.spot - c.spot;
  const call = r.callWall === null || c.callWall === null ? null : r.callWall - c.callWall;
  if (call !== null && before < call && r.spot > call + margin)
    out.push(`${r.symbol} broke the call wall ${formatStrike(call)}`);
  const put = r.putWall === null || c.putWall === null ? null : r.putWall - c.putWall;
  if (put !== null && before > put && r.spot < put - margin)
    out.push(`${r.symbol} broke the put wall ${formatStrike(put)}`);
  return out;
}

/**
 * The subject's part for one underlying: `SPX +$16.1bn γ · flip 4,494 (+0.2%)`, the flip's distance in the
 * record's convention, (spot − flip) / spot.
 */
function headline(s: Summary): string {
  const r = s.row;
  const flip =
    r.flip === null
      ? 'no flip'
      : `flip ${formatStrike(Math.round(r.flip))} (${formatPct(r.flipDistancePct, 1)})`;
  return `${r.symbol} ${formatUsd(r.netGex)} γ · ${flip}`;
}

const hbs = Handlebars.create();
const html = hbs.compile(htmlTemplate, { strict: true });
// Plain text is never parsed as HTML, so it is not HTML-escaped (an "&" stays an "&").
const text = hbs.compile(textTemplate, { strict: true, noEscape: true });

/** One underlying's block: its levels and book, what changed, and where to read more. */
function block(r: ReportRecord, s: Summary | undefined, base: string, limits: Freshness) {
  const dir = encodeURIComponent(r.symbol);
  return {
    symbol: r.symbol,
    venues: venueCount(r.venues?.length),
    positive: r.regime === 'positive',
    regime: r.regime === 'positive' ? 'Positive gamma' : 'Negative gamma',
    spot: formatPrice(r.spot),
    netGex: formatUsd(r.totals.netGex),
    flip:
      r.flip.level === null ? `none within ±${r.assumptions.profileRangePct}%` : formatPrice(r.flip.level),
    flipDistance: r.flip.level === null ? '' : formatFlipDistance(r.flip.distancePct),
    callWall: formatStrike(r.levels.callWall),
    putWall: formatStrike(r.levels.putWall),
    maxPain: formatStrike(r.levels.maxPain),
    move: moveText(r, 'nextExpiry'),
    book: dealerBook(r)
      .filter((item) => item.label !== 'Net GEX')
      .map((item) => `${item.label.replace('Net ', '')} ${item.value}${item.unit ? ` ${item.unit}` : ''}`)
      .join(' · '),
    zeroDte: zeroDteLine(r),
    concentration: concentration(r),
    changes: changeLine(r, comparison(r, r.change, limits)),
    session: sessionText(r),
    pageUrl: `${base}${dir}/latest.html`,
    jsonUrl: `${base}${dir}/latest.json`,
    assumptions: `${r.assumptions.positioning} positioning, r = ${r.assumptions.riskFreeRate}, q = ${r.assumptions.dividendYield}, profile ±${r.assumptions.profileRangePct}%`,
    alerts: s ? alerts(s) : [],
    // The evidence's reading where the history is long enough to read (§16).
    evidence:
      s?.evidence !== undefined && s.evidence.pairs >= MIN_PAIRS ? evidenceSentence(s.evidence) : null,
  };
}

/**
 * The daily email, short enough to read in ten seconds: a subject led by what changed (regimes that turned,
 * walls that broke), then for a short watchlist one block per underlying (levels, book, expected move, the
 * change since a recent previous report), and for a long one the screener's highlights; links to the site,
 * the sessions the numbers belong to, and the disclaimer. HTML with the CSS inlined (tables, no script, no
 * SVG) and a plain-text part with the same content. `records` are the full latest records of the
 * underlyings shown in blocks (all of them when there are at most DETAIL_LIMIT).
 */
export function composeEmail(
  entries: readonly Summary[],
  records: readonly ReportRecord[],
  siteUrl: string,
  generatedAt: Date,
  limits: Freshness,
): Email {
  const base = siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`;
  const sorted = [...entries].sort((a, b) => a.row.symbol.localeCompare(b.row.symbol));
  const bySymbol = new Map(sorted.map((s) => [s.row.symbol, s]));
  const long = sorted.length > DETAIL_LIMIT;
  const blocks = long
    ? []
    : [...records]
        .sort((a, b) => a.symbol.localeCompare(b.symbol))
        .map((r) => block(r, bySymbol.get(r.symbol), base, limits));
  const allAlerts = sorted.flatMap(alerts);
  const h = highlights(sorted);
  const negative = sorted.filter((s) => s.row.regime === 'negative').length;
  const lead = long
    ? [`${plural(sorted.length, 'underlying', 'underlyings')}, ${negative} in negative gamma`]
    : sorted.map(headline);
  const subject = [...allAlerts.slice(0, 3), ...lead].join(' · ');
  const link = (s: Summary) => ({
    symbol: s.row.symbol,
    venues: venueCount(s.row.venues),
    url: `${base}${encodeURIComponent(s.row.symbol)}/latest.html`,
  });
  const context = {
    subject,
    alerts: allAlerts,
    blocks,
    highlights: long
      ? [
          {
            title: 'Nearest to their flip',
            items: h.nearFlip.map((s) => ({
              ...link(s),
              note: `${formatPct(s.row.flipDistancePct)} from spot`,
            })),
          },
          {
            title: 'Negative gamma, most one-sided first',
            items: h.negative.map((s) => ({ ...link(s), note: `tilt ${s.row.tilt.toFixed(2)}` })),
          },
          {
            title: 'Most gamma expiring today',
            items: h.zeroDte.map((s) => ({
              ...link(s),
              note: `${Math.round(s.row.zeroDteShare * 100)}% 0DTE`,
            })),
          },
        ].filter((list) => list.items.length > 0)
      : [],
    siteUrl: base,
    generatedAt: formatInstant(generatedAt.toISOString(), 'UTC'),
  };
  return { subject, html: juice(html(context)), text: text(context) };
}
