import type { ReportRecord } from '../types';
import { formatPrice, formatStrike, formatUsd } from './format';
import type { HistoryPoint } from './history';
import { linearScale, niceDomain, px, ticksWithin, type Scale } from './scale';

/**
 * Charts as geometry: every bar, line, tick and label with its position in SVG user units. The generic
 * `templates/partials/chart.hbs` turns a model into markup (escaped), so the drawing is tested on numbers.
 */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  cls: string;
}

export interface ChartModel {
  id: string;
  /** Accessible name (the SVG `<title>`). */
  title: string;
  /** Text alternative: what the chart shows, in words and numbers (the SVG `<desc>`). */
  description: string;
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  xLabel: string;
  yLabel: string;
  /** Y of the zero line, when zero is on the axis. */
  zeroY: number | null;
  /** Bars that share one hover text (a strike's call, put and net). */
  groups: { tip: string; rects: Rect[] }[];
  lines: { points: string; cls: string; tip: string }[];
  dots: { x: number; y: number; cls: string; tip: string }[];
  /** Vertical reference lines (spot, flip, walls) with their labels placed so they do not overlap. */
  markers: { x: number; cls: string; label: string; labelY: number }[];
  legend: { cls: string; label: string }[];
}

const WIDTH = 720;
const HEIGHT = 320;
/** The top margin holds up to four rows of marker labels. */
const MARGIN = { left: 92, right: 16, top: 66, bottom: 44 };
const LABEL_ROW = 14;
const CHAR_WIDTH = 6.6;

type Frame = Pick<ChartModel, 'width' | 'height' | 'plot'>;

function frame(height = HEIGHT, width = WIDTH, top = MARGIN.top): Frame {
  return {
    width,
    height,
    plot: { left: MARGIN.left, top, right: width - MARGIN.right, bottom: height - MARGIN.bottom },
  };
}

/** Charts without marker labels need no room above the plot. */
const PLAIN_TOP = 16;

/** A value axis from the data (always including zero), with `$` tick labels. */
function gexAxis(values: number[], f: Frame) {
  const { domain, ticks } = niceDomain(Math.min(0, ...values), Math.max(0, ...values), 5);
  const y = linearScale(domain, [f.plot.bottom, f.plot.top]);
  return { y, yTicks: ticks.map((t) => ({ y: px(y(t)), label: formatUsd(t) })), zeroY: px(y(0)) };
}

/** Call bar up, put bar down and a narrower net bar, centred on x. */
/** A bar centred on x from the zero line to `value`: up when positive, down when negative. */
function barFromZero(x: number, w: number, y: Scale, value: number, cls: string): Rect {
  const zero = y(0);
  return {
    x: px(x - w / 2),
    y: px(Math.min(zero, y(value))),
    w: px(w),
    h: px(Math.abs(y(value) - zero)),
    cls,
  };
}

function gexBars(
  x: number,
  width: number,
  y: Scale,
  b: { callGex: number; putGex: number; netGex: number },
): Rect[] {
  const bar = (value: number, w: number, cls: string) => barFromZero(x, w, y, value, cls);
  return [
    bar(b.callGex, width, 'call'),
    bar(b.putGex, width, 'put'),
    bar(b.netGex, Math.max(1, width * 0.4), 'net'),
  ];
}

/** Places marker labels in rows above the plot so that no two labels in a row overlap. */
export function placeMarkers(
  markers: { x: number; cls: string; label: string }[],
  plotTop: number,
): ChartModel['markers'] {
  const rowEnds: number[] = [];
  return [...markers]
    .sort((a, b) => a.x - b.x)
    .map((m) => {
      const half = (m.label.length * CHAR_WIDTH) / 2;
      let row = rowEnds.findIndex((end) => end + 4 <= m.x - half);
      if (row < 0) row = rowEnds.length;
      rowEnds[row] = m.x + half;
      return { ...m, labelY: plotTop - 6 - row * LABEL_ROW };
    });
}

function describeLevels(r: ReportRecord): string {
  const flip = r.flip.level === null ? 'no flip in range' : `flip ${formatPrice(r.flip.level)}`;
  return `spot ${formatPrice(r.spot)}, ${flip}, call wall ${formatStrike(r.levels.callWall)}, put wall ${formatStrike(r.levels.putWall)}`;
}

/** Call, put and net GEX by strike over spot ± windowPct, with spot, flip and the walls marked. */
export function gexByStrikeChart(r: ReportRecord, windowPct: number): ChartModel | null {
  const lo = r.spot * (1 - windowPct / 100);
  const hi = r.spot * (1 + windowPct / 100);
  const rows = r.byStrike.filter((s) => s.strike >= lo && s.strike <= hi);
  if (rows.length === 0) return null;
  const f = frame();
  const x = linearScale([lo, hi], [f.plot.left, f.plot.right]);
  const { y, yTicks, zeroY } = gexAxis(
    rows.flatMap((s) => [s.callGex, s.putGex, s.netGex]),
    f,
  );
  let gap = Infinity;
  for (let i = 1; i < rows.length; i++) gap = Math.min(gap, x(rows[i]!.strike) - x(rows[i - 1]!.strike));
  const barWidth = Math.min(18, Math.max(1, (Number.isFinite(gap) ? gap : 18) * 0.8));
  const inWindow = (v: number | null): v is number => v !== null && v >= lo && v <= hi;
  const markers = [
    { x: x(r.spot), cls: 'spot', label: `Spot ${formatPrice(r.spot)}` },
    ...(inWindow(r.flip.level)
      ? [{ x: x(r.flip.level), cls: 'flip', label: `Flip ${formatPrice(r.flip.level)}` }]
      : []),
    ...(inWindow(r.levels.callWall)
      ? [{ x: x(r.levels.callWall), cls: 'wall', label: `Call wall ${formatStrike(r.levels.callWall)}` }]
      : []),
    ...(inWindow(r.levels.putWall)
      ? [{ x: x(r.levels.putWall), cls: 'wall', label: `Put wall ${formatStrike(r.levels.putWall)}` }]
      : []),
  ].map((m) => ({ ...m, x: px(m.x) }));
  const largest = [...rows].sort((a, b) => Math.abs(b.netGex) - Math.abs(a.netGex))[0]!;
  return {
    id: 'gex-by-strike',
    title: `${r.symbol} dealer gamma exposure by strike, spot ±${windowPct}%`,
    description:
      `Call, put and net GEX in USD per 1% move for ${rows.length} strikes from ${formatStrike(rows[0]!.strike)} ` +
      `to ${formatStrike(rows[rows.length - 1]!.strike)}; ${describeLevels(r)}; largest net ` +
      `${formatUsd(largest.netGex)} at ${formatStrike(largest.strike)}.`,
    ...f,
    xTicks: ticksWithin(lo, hi, 8).map((t) => ({ x: px(x(t)), label: formatStrike(t) })),
    yTicks,
    xLabel: 'Strike',
    yLabel: 'GEX per 1% move',
    zeroY,
    groups: rows.map((s) => ({
      tip: `Strike ${formatStrike(s.strike)}: call ${formatUsd(s.callGex)}, put ${formatUsd(s.putGex)}, net ${formatUsd(s.netGex)}`,
      rects: gexBars(x(s.strike), barWidth, y, s),
    })),
    lines: [],
    dots: [],
    markers: placeMarkers(markers, f.plot.top),
    legend: [
      { cls: 'call', label: 'Call GEX' },
      { cls: 'put', label: 'Put GEX' },
      { cls: 'net', label: 'Net GEX' },
    ],
  };
}

function polyline(xs: number[], ys: number[], x: Scale, y: Scale): string {
  return xs.map((v, i) => `${px(x(v))},${px(y(ys[i]!))}`).join(' ');
}

/** The three gamma profile curves against the underlying's level, with zero, spot and the flip marked. */
export function profileChart(r: ReportRecord): ChartModel {
  const p = r.profile;
  const f = frame();
  const lo = p.levels[0]!;
  const hi = p.levels[p.levels.length - 1]!;
  const x = linearScale([lo, hi], [f.plot.left, f.plot.right]);
  const { y, yTicks, zeroY } = gexAxis([...p.all, ...p.exNextExpiry, ...p.exNextMonthly], f);
  const markers = [
    { x: px(x(r.spot)), cls: 'spot', label: `Spot ${formatPrice(r.spot)}` },
    ...r.flip.crossings.map((c) => ({
      x: px(x(c)),
      cls: c === r.flip.level ? 'flip' : 'crossing',
      label: `${c === r.flip.level ? 'Flip' : 'Zero'} ${formatPrice(c)}`,
    })),
  ];
  const exNext = p.nextExpiry ? `Without next expiry (${p.nextExpiry})` : 'Without next expiry';
  const exMonthly = p.nextMonthly ? `Without next monthly (${p.nextMonthly})` : 'Without next monthly';
  const step = Math.max(1, Math.round(p.levels.length / 40));
  return {
    id: 'gamma-profile',
    title: `${r.symbol} gamma profile: net GEX if the underlying moved`,
    description:
      `Net GEX in USD per 1% move at ${p.levels.length} levels from ${formatPrice(lo)} to ${formatPrice(hi)}, ` +
      `all expiries and without the next expiry or the next monthly; ${describeLevels(r)}; ` +
      `net GEX at spot ${formatUsd(r.totals.netGex)}.`,
    ...f,
    xTicks: ticksWithin(lo, hi, 8).map((t) => ({ x: px(x(t)), label: formatStrike(t) })),
    yTicks,
    xLabel: `${r.symbol} level`,
    yLabel: 'Net GEX per 1% move',
    zeroY,
    groups: [],
    lines: [
      { points: polyline(p.levels, p.exNextMonthly, x, y), cls: 'ex-monthly', tip: exMonthly },
      { points: polyline(p.levels, p.exNextExpiry, x, y), cls: 'ex-next', tip: exNext },
      { points: polyline(p.levels, p.all, x, y), cls: 'all', tip: 'All expiries' },
    ],
    dots: p.levels
      .map((level, i) => ({ level, i }))
      .filter(({ i }) => i % step === 0)
      .map(({ level, i }) => ({
        x: px(x(level)),
        y: px(y(p.all[i]!)),
        cls: 'all',
        tip: `At ${formatPrice(level)}: ${formatUsd(p.all[i]!)} (all expiries)`,
      })),
    markers: placeMarkers(markers, f.plot.top),
    legend: [
      { cls: 'all', label: 'All expiries' },
      { cls: 'ex-next', label: exNext },
      { cls: 'ex-monthly', label: exMonthly },
    ],
  };
}

/** n equal bands across the plot: their width and the x of the i-th band's centre. */
function bands(f: Frame, n: number) {
  const band = (f.plot.right - f.plot.left) / n;
  return { band, cx: (i: number) => f.plot.left + band * (i + 0.5) };
}

/** Evenly spread indexes of at most `max` category labels, always including the first. */
function labelledIndexes(n: number, max: number): number[] {
  const every = Math.max(1, Math.ceil(n / max));
  return Array.from({ length: n }, (_, i) => i).filter((i) => i % every === 0);
}

/** Call, put and net GEX per expiry date. */
export function byExpiryChart(r: ReportRecord): ChartModel | null {
  const rows = r.byExpiry;
  if (rows.length === 0) return null;
  // Narrower, as it sits beside its table on a desktop.
  const f = frame(HEIGHT, 460, PLAIN_TOP);
  const { band, cx } = bands(f, rows.length);
  const { y, yTicks, zeroY } = gexAxis(
    rows.flatMap((e) => [e.callGex, e.putGex, e.netGex]),
    f,
  );
  const largest = [...rows].sort((a, b) => Math.abs(b.netGex) - Math.abs(a.netGex))[0]!;
  return {
    id: 'gex-by-expiry',
    title: `${r.symbol} dealer gamma exposure by expiry date`,
    description:
      `Call, put and net GEX in USD per 1% move for ${rows.length} expiry dates from ${rows[0]!.expiry} to ` +
      `${rows[rows.length - 1]!.expiry}; the largest net is ${formatUsd(largest.netGex)} on ${largest.expiry}.`,
    ...f,
    xTicks: labelledIndexes(rows.length, 4).map((i) => ({ x: px(cx(i)), label: rows[i]!.expiry })),
    yTicks,
    xLabel: 'Expiry date',
    yLabel: 'GEX per 1% move',
    zeroY,
    groups: rows.map((e, i) => ({
      tip: `${e.expiry}: call ${formatUsd(e.callGex)}, put ${formatUsd(e.putGex)}, net ${formatUsd(e.netGex)}`,
      rects: gexBars(cx(i), Math.max(1, band * 0.7), y, e),
    })),
    lines: [],
    dots: [],
    markers: [],
    legend: [
      { cls: 'call', label: 'Call GEX' },
      { cls: 'put', label: 'Put GEX' },
      { cls: 'net', label: 'Net GEX' },
    ],
  };
}

type LevelKey = 'spot' | 'flip' | 'callWall' | 'putWall';
const HISTORY_SERIES: { key: LevelKey; cls: string; label: string }[] = [
  { key: 'spot', cls: 'spot', label: 'Spot' },
  { key: 'flip', cls: 'flip', label: 'Gamma flip' },
  { key: 'callWall', cls: 'call', label: 'Call wall' },
  { key: 'putWall', cls: 'put', label: 'Put wall' },
];

/** Consecutive runs of points where a series has a value: a missing flip breaks the line. */
function runs(points: HistoryPoint[], key: LevelKey): HistoryPoint[][] {
  const out: HistoryPoint[][] = [];
  let current: HistoryPoint[] = [];
  for (const p of points) {
    if (p[key] === null) {
      if (current.length) out.push(current);
      current = [];
    } else current.push(p);
  }
  if (current.length) out.push(current);
  return out;
}

/** Spot against the flip and the walls over time (two reports or more). */
export function historyLevelsChart(symbol: string, points: HistoryPoint[]): ChartModel | null {
  if (points.length < 2) return null;
  const f = frame(HEIGHT, WIDTH, PLAIN_TOP);
  const { cx } = bands(f, points.length);
  const index = new Map(points.map((p, i) => [p, i]));
  const values = points.flatMap((p) =>
    HISTORY_SERIES.map((s) => p[s.key]).filter((v): v is number => v !== null),
  );
  const { domain, ticks } = niceDomain(Math.min(...values), Math.max(...values), 5);
  const y = linearScale(domain, [f.plot.bottom, f.plot.top]);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return {
    id: 'history-levels',
    title: `${symbol} spot, gamma flip and walls over time`,
    description:
      `${points.length} reports from ${first.date} to ${last.date}. Latest: spot ${formatPrice(last.spot)}, ` +
      `flip ${formatPrice(last.flip)}, call wall ${formatStrike(last.callWall)}, put wall ${formatStrike(last.putWall)}.`,
    ...f,
    xTicks: labelledIndexes(points.length, 8).map((i) => ({ x: px(cx(i)), label: points[i]!.date })),
    yTicks: ticks.map((t) => ({ y: px(y(t)), label: formatStrike(t) })),
    xLabel: 'Report date',
    yLabel: 'Level',
    zeroY: null,
    groups: [],
    lines: HISTORY_SERIES.flatMap((s) =>
      runs(points, s.key).map((run) => ({
        points: run.map((p) => `${px(cx(index.get(p)!))},${px(y(p[s.key]!))}`).join(' '),
        cls: s.cls,
        tip: s.label,
      })),
    ),
    dots: HISTORY_SERIES.flatMap((s) =>
      points
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => p[s.key] !== null)
        .map(({ p, i }) => ({
          x: px(cx(i)),
          y: px(y(p[s.key]!)),
          cls: s.cls,
          tip: `${p.date} ${s.label.toLowerCase()} ${formatPrice(p[s.key])}`,
        })),
    ),
    markers: [],
    legend: HISTORY_SERIES.map((s) => ({ cls: s.cls, label: s.label })),
  };
}

/** Net GEX at each report (two reports or more). */
export function historyGexChart(symbol: string, points: HistoryPoint[]): ChartModel | null {
  if (points.length < 2) return null;
  const f = frame(260, WIDTH, PLAIN_TOP);
  const { band, cx } = bands(f, points.length);
  const { y, yTicks, zeroY } = gexAxis(
    points.map((p) => p.netGex),
    f,
  );
  return {
    id: 'history-gex',
    title: `${symbol} net gamma exposure over time`,
    description: `Net GEX in USD per 1% move at each of ${points.length} reports: ${points
      .map((p) => `${p.date} ${formatUsd(p.netGex)}`)
      .join(', ')}.`,
    ...f,
    xTicks: labelledIndexes(points.length, 8).map((i) => ({ x: px(cx(i)), label: points[i]!.date })),
    yTicks,
    xLabel: 'Report date',
    yLabel: 'Net GEX per 1% move',
    zeroY,
    groups: points.map((p, i) => ({
      tip: `${p.date}: net ${formatUsd(p.netGex)}, ${p.regime} gamma`,
      rects: [barFromZero(cx(i), Math.min(24, band * 0.6), y, p.netGex, p.netGex > 0 ? 'call' : 'put')],
    })),
    lines: [],
    dots: [],
    markers: [],
    legend: [
      { cls: 'call', label: 'Positive gamma' },
      { cls: 'put', label: 'Negative gamma' },
    ],
  };
}

export interface Sparkline {
  width: number;
  height: number;
  spot: string;
  flip: string[];
  label: string;
}

/** A small spot-and-flip line for the index page; null with fewer than two reports. */
export function sparkline(symbol: string, points: HistoryPoint[]): Sparkline | null {
  if (points.length < 2) return null;
  const width = 120;
  const height = 32;
  const values = points.flatMap((p) => (p.flip === null ? [p.spot] : [p.spot, p.flip]));
  const x = linearScale([0, points.length - 1], [2, width - 2]);
  const y = linearScale([Math.min(...values), Math.max(...values)], [height - 2, 2]);
  const line = (ps: HistoryPoint[], key: 'spot' | 'flip') =>
    ps.map((p) => `${px(x(points.indexOf(p)))},${px(y(p[key]!))}`).join(' ');
  return {
    width,
    height,
    spot: line(points, 'spot'),
    flip: runs(points, 'flip').map((run) => line(run, 'flip')),
    label: `${symbol} spot (solid) and gamma flip (dashed) over ${points.length} reports from ${points[0]!.date} to ${points[points.length - 1]!.date}`,
  };
}
