import { MODEL_INSIDE, type Evidence, type EvidencePair } from '../gamma/evidence';
import { EXPOSURES, type ExposureKey } from '../gamma/exposure';
import type { ReportRecord } from '../types';
import { EXPOSURE_TEXT } from './exposure-text';
import { formatPercent, formatPrice, formatStrike, formatUsd } from './format';
import type { HistoryPoint } from './history';
import { formatTilt, moveText } from './summary';
import { linearScale, niceDomain, niceStep, px, ticksWithin, type Scale } from './scale';
import { VENUES } from '../venues';

/**
 * Charts as geometry: every bar, line, band, tick and label with its position in SVG user units. The generic
 * `templates/partials/chart.hbs` turns a model into markup (escaped), so the drawing is tested on numbers.
 * Each chart is drawn twice, `wide` for screens from 600 px and `narrow` for phones, so that labels keep a
 * readable size instead of shrinking with the picture; CSS shows one of the two.
 */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  cls: string;
}

export type Size = 'wide' | 'narrow';

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
  /** Shaded x ranges behind the data (the expected-move band). */
  bands: { x: number; w: number; cls: string; tip: string }[];
  /** Bars that share one hover text (a strike's call, put and net). */
  groups: { tip: string; rects: Rect[] }[];
  lines: { points: string; cls: string; tip: string }[];
  dots: { x: number; y: number; cls: string; tip: string }[];
  /** Vertical reference lines (spot, flip, walls) with their labels placed so they do not overlap. */
  markers: { x: number; cls: string; label: string; labelY: number }[];
  legend: LegendEntry[];
}

/** `kind` says how the swatch is drawn: a filled box for bars and bands, a line (with its dash) for levels. */
export interface LegendEntry {
  cls: string;
  label: string;
  kind: 'box' | 'line';
}

/** Both drawings of a chart and the legend they share; `heat` for a heatmap's cells. */
export interface Figure {
  wide: ChartModel;
  narrow: ChartModel;
  legend: LegendEntry[];
  heat: boolean;
}

const SIZES: Record<Size, { width: number; height: number; left: number; ticks: number }> = {
  wide: { width: 960, height: 360, left: 84, ticks: 10 },
  narrow: { width: 380, height: 300, left: 80, ticks: 4 },
};
const MARGIN = { right: 14, bottom: 44 };
const LABEL_ROW = 14;
/** Width of a bold 12 px label character, with some room: labels must not touch. */
const CHAR_WIDTH = 7.4;
/** Charts without marker labels need no room above the plot. */
const PLAIN_TOP = 16;

type Frame = Pick<ChartModel, 'width' | 'height' | 'plot'>;

function frame(size: Size, top = PLAIN_TOP, height = SIZES[size].height): Frame {
  const { width, left } = SIZES[size];
  return { width, height, plot: { left, top, right: width - MARGIN.right, bottom: height - MARGIN.bottom } };
}

/** A value axis from the data (always including zero), with `$` tick labels. */
function usdAxis(values: number[], f: Frame) {
  const { domain, ticks } = niceDomain(Math.min(0, ...values), Math.max(0, ...values), 5);
  const y = linearScale(domain, [f.plot.bottom, f.plot.top]);
  // Tick values are round: `+$750m` reads better on an axis than `+$750.0m`.
  const label = (t: number) => formatUsd(t).replace(/\.0(?=[a-z]*$)/, '');
  return { y, yTicks: ticks.map((t) => ({ y: px(y(t)), label: label(t) })), zeroY: px(y(0)) };
}

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

/** Rows of labels the markers need: the top margin is made to fit them. */
function markerRows(markers: { x: number; label: string }[]): number {
  const placed = placeMarkers(
    markers.map((m) => ({ ...m, cls: '' })),
    0,
  );
  return placed.length === 0 ? 0 : Math.round(-Math.min(...placed.map((m) => m.labelY + 6)) / LABEL_ROW) + 1;
}

/** The levels drawn as markers, each with its own style and legend entry. */
const LEVELS = {
  spot: { cls: 'spot', name: 'Spot' },
  flip: { cls: 'flip', name: 'Gamma flip' },
  callWall: { cls: 'call-wall', name: 'Call wall' },
  putWall: { cls: 'put-wall', name: 'Put wall' },
} as const;

type Level = keyof typeof LEVELS;

function levelValue(r: ReportRecord, level: Level): number | null {
  if (level === 'spot') return r.spot;
  if (level === 'flip') return r.flip.level;
  return r.levels[level];
}

const lineEntry = (level: Level): LegendEntry => ({
  cls: LEVELS[level].cls,
  label: LEVELS[level].name,
  kind: 'line',
});

function describeLevels(r: ReportRecord): string {
  const flip = r.flip.level === null ? 'no flip in range' : `flip ${formatPrice(r.flip.level)}`;
  return `spot ${formatPrice(r.spot)}, ${flip}, call wall ${formatStrike(r.levels.callWall)}, put wall ${formatStrike(r.levels.putWall)}`;
}

/** The expected move to the next expiry as a shaded band over an x scale, clipped to the plot. */
function moveBand(r: ReportRecord, x: Scale, f: Frame): ChartModel['bands'] {
  const m = r.expectedMove.nextExpiry;
  const text = moveText(r, 'nextExpiry');
  if (m === null || text === null) return [];
  const a = Math.max(f.plot.left, x(m.lower));
  const b = Math.min(f.plot.right, x(m.upper));
  if (!(b > a)) return [];
  const horizon = text.horizon === null ? '' : ` (${text.horizon})`;
  return [
    {
      x: px(a),
      w: px(b - a),
      cls: 'move',
      tip: `Expected move to ${m.expiry}${horizon}: ${text.band} (${text.move})`,
    },
  ];
}

const MOVE_LEGEND: LegendEntry = { cls: 'move', label: 'Expected move, next expiry', kind: 'box' };

/** The markers of the levels that fall within [lo, hi], at their x. */
function levelMarkers(r: ReportRecord, levels: Level[], x: Scale, lo: number, hi: number) {
  return levels.flatMap((level) => {
    const v = levelValue(r, level);
    if (v === null || v < lo || v > hi) return [];
    const text = level === 'spot' || level === 'flip' ? formatPrice(v) : formatStrike(v);
    return [{ x: px(x(v)), cls: LEVELS[level].cls, label: `${LEVELS[level].name} ${text}` }];
  });
}

/** The levels marked on the charts by strike. */
const STRIKE_LEVELS: Level[] = ['spot', 'flip', 'callWall', 'putWall'];

/**
 * What every chart by strike over spot ± windowPct shares: the byStrike rows inside (with their indexes in
 * byStrike), the frame with room for the level labels, the x scale and ticks, the bar width and the markers.
 * Null when no strike is inside.
 */
function strikeWindow(r: ReportRecord, windowPct: number, size: Size) {
  const lo = r.spot * (1 - windowPct / 100);
  const hi = r.spot * (1 + windowPct / 100);
  const indexes = r.byStrike.flatMap((s, i) => (s.strike >= lo && s.strike <= hi ? [i] : []));
  if (indexes.length === 0) return null;
  const rows = indexes.map((i) => r.byStrike[i]!);
  const probe = frame(size);
  const probeX = linearScale([lo, hi], [probe.plot.left, probe.plot.right]);
  const rowsNeeded = markerRows(levelMarkers(r, STRIKE_LEVELS, probeX, lo, hi));
  const f = frame(size, PLAIN_TOP + rowsNeeded * LABEL_ROW);
  const x = linearScale([lo, hi], [f.plot.left, f.plot.right]);
  let gap = Infinity;
  for (let i = 1; i < rows.length; i++) gap = Math.min(gap, x(rows[i]!.strike) - x(rows[i - 1]!.strike));
  return {
    rows,
    indexes,
    f,
    x,
    barWidth: Math.min(18, Math.max(1, (Number.isFinite(gap) ? gap : 18) * 0.8)),
    xTicks: ticksWithin(lo, hi, SIZES[size].ticks).map((t) => ({ x: px(x(t)), label: formatStrike(t) })),
    markers: placeMarkers(levelMarkers(r, STRIKE_LEVELS, x, lo, hi), f.plot.top),
  };
}

/**
 * One exposure by strike over spot ± windowPct: gamma as call, put and net bars, the others as net bars; with
 * spot, flip and walls marked and the expected move shaded. The same geometry serves every exposure.
 */
export function exposureByStrikeChart(
  r: ReportRecord,
  key: ExposureKey,
  windowPct: number,
  size: Size = 'wide',
): ChartModel | null {
  const w = strikeWindow(r, windowPct, size);
  if (w === null) return null;
  const { rows, f, x, barWidth } = w;
  const spec = EXPOSURES.find((e) => e.key === key)!;
  const text = EXPOSURE_TEXT[key];
  const net = (s: (typeof rows)[number]) => s[`net${key}`];
  const sides = (s: (typeof rows)[number]) => (spec.bySide ? [s.callGex, s.putGex, s.netGex] : [net(s)]);
  const { y, yTicks, zeroY } = usdAxis(rows.flatMap(sides), f);
  const largest = [...rows].sort((a, b) => Math.abs(net(b)) - Math.abs(net(a)))[0]!;
  const bars = (s: (typeof rows)[number]): Rect[] => {
    const at = x(s.strike);
    if (!spec.bySide) return [barFromZero(at, barWidth, y, net(s), net(s) >= 0 ? 'pos' : 'neg')];
    return [
      barFromZero(at, barWidth, y, s.callGex, 'call'),
      barFromZero(at, barWidth, y, s.putGex, 'put'),
      barFromZero(at, Math.max(1, barWidth * 0.4), y, s.netGex, 'net'),
    ];
  };
  const tip = (s: (typeof rows)[number]) =>
    spec.bySide
      ? `Strike ${formatStrike(s.strike)}: call ${formatUsd(s.callGex)}, put ${formatUsd(s.putGex)}, net ${formatUsd(s.netGex)}`
      : `Strike ${formatStrike(s.strike)}: net ${text.short} ${formatUsd(net(s))} ${text.per}`.trimEnd();
  return {
    id: `${text.short.toLowerCase()}-by-strike-${size}`,
    title: `${r.symbol} ${text.name.toLowerCase()} by strike, spot ±${windowPct}%`,
    description:
      `${spec.bySide ? 'Call, put and net' : 'Net'} ${text.short} in ${text.unit} for ${rows.length} strikes from ` +
      `${formatStrike(rows[0]!.strike)} to ${formatStrike(rows[rows.length - 1]!.strike)}; ${describeLevels(r)}; ` +
      `largest net ${formatUsd(net(largest))} at ${formatStrike(largest.strike)}.`,
    ...f,
    xTicks: w.xTicks,
    yTicks,
    xLabel: 'Strike',
    yLabel: `${text.short} ${text.per}`.trimEnd(),
    zeroY,
    bands: moveBand(r, x, f),
    groups: rows.map((s) => ({ tip: tip(s), rects: bars(s) })),
    lines: [],
    dots: [],
    markers: w.markers,
    legend: [
      ...(spec.bySide
        ? [
            { cls: 'call', label: 'Call GEX', kind: 'box' as const },
            { cls: 'put', label: 'Put GEX', kind: 'box' as const },
            { cls: 'net', label: 'Net GEX', kind: 'box' as const },
          ]
        : [
            { cls: 'pos', label: `Net ${text.short} above zero`, kind: 'box' as const },
            { cls: 'neg', label: `Net ${text.short} below zero`, kind: 'box' as const },
          ]),
      ...STRIKE_LEVELS.map(lineEntry),
      ...(r.expectedMove.nextExpiry ? [MOVE_LEGEND] : []),
    ],
  };
}

/** Colour classes of the venues in a book, in the record's order (docs/methodology.md §17). */
export const VENUE_CLASSES = ['v1', 'v2', 'v3', 'v4', 'v5'] as const;

/**
 * A crypto book's net GEX by strike over spot ± windowPct, stacked by venue (§17): at each strike the venues'
 * positive parts stack up from zero and their negative parts down, each venue in its colour, so a bar's
 * extent shows who holds the gamma there; spot, flip and walls (the whole book's) marked. Null for fewer than
 * two venues.
 */
export function venueByStrikeChart(
  r: ReportRecord,
  windowPct: number,
  size: Size = 'wide',
): ChartModel | null {
  const venues = r.venues ?? [];
  if (venues.length < 2) return null;
  const w = strikeWindow(r, windowPct, size);
  if (w === null) return null;
  const { rows, indexes, f, x, barWidth } = w;
  const parts = indexes.map((i) => venues.map((v) => v.netGexByStrike[i]!));
  const sum = (values: number[], sign: 1 | -1) => values.reduce((a, v) => (v * sign > 0 ? a + v : a), 0);
  const { y, yTicks, zeroY } = usdAxis(
    parts.flatMap((p) => [sum(p, 1), sum(p, -1)]),
    f,
  );
  const name = (i: number) => VENUES[venues[i]!.venue].name;
  const stack = (values: number[], at: number): Rect[] => {
    let up = 0;
    let down = 0;
    return values.flatMap((v, i) => {
      if (v === 0) return [];
      const from = v > 0 ? up : down;
      if (v > 0) up += v;
      else down += v;
      const [a, b] = [y(from), y(from + v)];
      return [
        {
          x: px(at - barWidth / 2),
          y: px(Math.min(a, b)),
          w: px(barWidth),
          h: px(Math.abs(a - b)),
          cls: VENUE_CLASSES[i % VENUE_CLASSES.length]!,
        },
      ];
    });
  };
  const shares = venues.map((v, i) => `${name(i)} ${formatPercent(v.share * 100, 0)}`).join(', ');
  return {
    id: `venue-gex-by-strike-${size}`,
    title: `${r.symbol} net GEX by strike and venue, spot ±${windowPct}%`,
    description:
      `Net GEX in USD per 1% move of ${venues.length} venues stacked at ${rows.length} strikes from ` +
      `${formatStrike(rows[0]!.strike)} to ${formatStrike(rows[rows.length - 1]!.strike)}; shares of gross gamma: ` +
      `${shares}; ${describeLevels(r)}.`,
    ...f,
    xTicks: w.xTicks,
    yTicks,
    xLabel: 'Strike',
    yLabel: 'Net GEX per 1% move',
    zeroY,
    bands: [],
    groups: rows.map((s, j) => ({
      tip: `Strike ${formatStrike(s.strike)}: ${parts[j]!.map((v, i) => `${name(i)} ${formatUsd(v)}`).join(', ')}; net ${formatUsd(s.netGex)}`,
      rects: stack(parts[j]!, x(s.strike)),
    })),
    lines: [],
    dots: [],
    markers: w.markers,
    legend: [
      ...venues.map((v, i) => ({
        cls: VENUE_CLASSES[i % VENUE_CLASSES.length]!,
        label: VENUES[v.venue].name,
        kind: 'box' as const,
      })),
      ...STRIKE_LEVELS.map(lineEntry),
    ],
  };
}

function polyline(xs: number[], ys: number[], x: Scale, y: Scale): string {
  return xs.map((v, i) => `${px(x(v))},${px(y(ys[i]!))}`).join(' ');
}

/**
 * The gamma profile curves against the underlying's level, with zero, spot, the flip and the other crossings
 * marked and the expected move shaded. When the next expiry is also the next monthly, the two ex-curves are
 * one curve with one legend entry.
 */
export function profileChart(r: ReportRecord, size: Size = 'wide'): ChartModel {
  const p = r.profile;
  const lo = p.levels[0]!;
  const hi = p.levels[p.levels.length - 1]!;
  const crossingMarkers = (x: Scale) =>
    r.flip.crossings
      .filter((c) => c !== r.flip.level)
      .map((c) => ({ x: px(x(c)), cls: 'crossing', label: `Zero ${formatPrice(c)}` }));
  const probe = frame(size);
  const probeX = linearScale([lo, hi], [probe.plot.left, probe.plot.right]);
  const rowsNeeded = markerRows([
    ...levelMarkers(r, ['spot', 'flip'], probeX, lo, hi),
    ...crossingMarkers(probeX),
  ]);
  const f = frame(size, PLAIN_TOP + rowsNeeded * LABEL_ROW);
  const x = linearScale([lo, hi], [f.plot.left, f.plot.right]);
  const same = p.nextExpiry !== null && p.nextExpiry === p.nextMonthly;
  const curves = [
    ...(same
      ? [
          {
            values: p.exNextExpiry,
            cls: 'ex-next',
            label: `Without the next expiry, also the monthly (${p.nextExpiry})`,
          },
        ]
      : [
          {
            values: p.exNextMonthly,
            cls: 'ex-monthly',
            label: p.nextMonthly ? `Without the next monthly (${p.nextMonthly})` : 'Without the next monthly',
          },
          {
            values: p.exNextExpiry,
            cls: 'ex-next',
            label: p.nextExpiry ? `Without the next expiry (${p.nextExpiry})` : 'Without the next expiry',
          },
        ]),
    { values: p.all, cls: 'all', label: 'All expiries' },
  ];
  const { y, yTicks, zeroY } = usdAxis(
    curves.flatMap((c) => c.values),
    f,
  );
  const step = Math.max(1, Math.round(p.levels.length / (size === 'wide' ? 40 : 20)));
  const hasOther = r.flip.crossings.some((c) => c !== r.flip.level);
  return {
    id: `gamma-profile-${size}`,
    title: `${r.symbol} gamma profile: net GEX if the underlying moved`,
    description:
      `Net GEX in USD per 1% move at ${p.levels.length} levels from ${formatPrice(lo)} to ${formatPrice(hi)}, ` +
      `all expiries and without the next expiry or the next monthly; ${describeLevels(r)}; ` +
      `net GEX at spot ${formatUsd(r.totals.netGex)}.`,
    ...f,
    xTicks: ticksWithin(lo, hi, SIZES[size].ticks).map((t) => ({ x: px(x(t)), label: formatStrike(t) })),
    yTicks,
    xLabel: `${r.symbol} level`,
    yLabel: 'Net GEX per 1% move',
    zeroY,
    bands: moveBand(r, x, f),
    groups: [],
    lines: curves.map((c) => ({ points: polyline(p.levels, c.values, x, y), cls: c.cls, tip: c.label })),
    dots: p.levels
      .map((level, i) => ({ level, i }))
      .filter(({ i }) => i % step === 0)
      .map(({ level, i }) => ({
        x: px(x(level)),
        y: px(y(p.all[i]!)),
        cls: 'all',
        tip: `At ${formatPrice(level)}: ${formatUsd(p.all[i]!)} (all expiries)`,
      })),
    markers: placeMarkers(
      [...levelMarkers(r, ['spot', 'flip'], x, lo, hi), ...crossingMarkers(x)],
      f.plot.top,
    ),
    legend: [
      ...curves.reverse().map((c) => ({ cls: c.cls, label: c.label, kind: 'line' as const })),
      lineEntry('spot'),
      lineEntry('flip'),
      ...(hasOther ? [{ cls: 'crossing', label: 'Other zero crossing', kind: 'line' as const }] : []),
      ...(r.expectedMove.nextExpiry ? [MOVE_LEGEND] : []),
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

const GAMMA_BARS: LegendEntry[] = [
  { cls: 'call', label: 'Call GEX', kind: 'box' },
  { cls: 'put', label: 'Put GEX', kind: 'box' },
  { cls: 'net', label: 'Net GEX', kind: 'box' },
];

/** Call, put and net GEX per expiry date. */
export function byExpiryChart(r: ReportRecord, size: Size = 'wide'): ChartModel | null {
  const rows = r.byExpiry;
  if (rows.length === 0) return null;
  const f = frame(size);
  const { band, cx } = bands(f, rows.length);
  const { y, yTicks, zeroY } = usdAxis(
    rows.flatMap((e) => [e.callGex, e.putGex, e.netGex]),
    f,
  );
  const largest = [...rows].sort((a, b) => Math.abs(b.netGex) - Math.abs(a.netGex))[0]!;
  return {
    id: `gex-by-expiry-${size}`,
    title: `${r.symbol} dealer gamma exposure by expiry date`,
    description:
      `Call, put and net GEX in USD per 1% move for ${rows.length} expiry dates from ${rows[0]!.expiry} to ` +
      `${rows[rows.length - 1]!.expiry}; the largest net is ${formatUsd(largest.netGex)} on ${largest.expiry}.`,
    ...f,
    xTicks: labelledIndexes(rows.length, size === 'wide' ? 6 : 3).map((i) => ({
      x: px(cx(i)),
      label: rows[i]!.expiry,
    })),
    yTicks,
    xLabel: 'Expiry date',
    yLabel: 'GEX per 1% move',
    zeroY,
    bands: [],
    groups: rows.map((e, i) => ({
      tip: `${e.expiry}: call ${formatUsd(e.callGex)}, put ${formatUsd(e.putGex)}, net ${formatUsd(e.netGex)}`,
      rects: [
        barFromZero(cx(i), Math.max(1, band * 0.7), y, e.callGex, 'call'),
        barFromZero(cx(i), Math.max(1, band * 0.7), y, e.putGex, 'put'),
        barFromZero(cx(i), Math.max(1, band * 0.3), y, e.netGex, 'net'),
      ],
    })),
    lines: [],
    dots: [],
    markers: [],
    legend: GAMMA_BARS,
  };
}

type HistoryLevel = 'spot' | 'flip' | 'callWall' | 'putWall';
const HISTORY_SERIES: HistoryLevel[] = ['spot', 'flip', 'callWall', 'putWall'];

/** Consecutive runs of points where a series has a value: a missing flip breaks the line. */
function runs<P extends Partial<Record<HistoryLevel, number | null>>>(
  points: readonly P[],
  key: HistoryLevel,
): P[][] {
  const out: P[][] = [];
  let current: P[] = [];
  for (const p of points) {
    if (p[key] === null) {
      if (current.length) out.push(current);
      current = [];
    } else current.push(p);
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * A time axis over the reports' snapshot instants, so that a gap of a week looks like a week: the x of each
 * point and date labels at points at least `minGap` apart (first and last always).
 */
function timeAxis(points: HistoryPoint[], f: Frame, size: Size) {
  const times = points.map((p) => Date.parse(p.asOf));
  const t0 = times[0]!;
  const t1 = times[times.length - 1]!;
  // Room for half a date label at each end, so the first and last stay inside the picture.
  const inset = 36;
  const x = linearScale([t0, t1], [f.plot.left + inset, f.plot.right - inset]);
  const minGap = size === 'wide' ? 90 : 80;
  const ticks: { x: number; label: string }[] = [];
  times.forEach((t, i) => {
    const at = x(t);
    const last = i === times.length - 1;
    if (ticks.length > 0 && at - ticks[ticks.length - 1]!.x < minGap) {
      if (!last) return;
      ticks.pop();
    }
    ticks.push({ x: px(at), label: points[i]!.date });
  });
  return { xOf: (p: HistoryPoint) => x(Date.parse(p.asOf)), ticks, gap: minGap };
}

/** Spot against the flip and the walls over time (two reports or more). */
export function historyLevelsChart(
  symbol: string,
  points: HistoryPoint[],
  size: Size = 'wide',
): ChartModel | null {
  if (points.length < 2) return null;
  const f = frame(size);
  const { xOf, ticks } = timeAxis(points, f, size);
  const values = points.flatMap((p) =>
    HISTORY_SERIES.map((s) => p[s]).filter((v): v is number => v !== null),
  );
  const { domain, ticks: yt } = niceDomain(Math.min(...values), Math.max(...values), 5);
  const y = linearScale(domain, [f.plot.bottom, f.plot.top]);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return {
    id: `history-levels-${size}`,
    title: `${symbol} spot, gamma flip and walls over time`,
    description:
      `${points.length} reports from ${first.date} to ${last.date}. Latest: spot ${formatPrice(last.spot)}, ` +
      `flip ${formatPrice(last.flip)}, call wall ${formatStrike(last.callWall)}, put wall ${formatStrike(last.putWall)}.`,
    ...f,
    xTicks: ticks,
    yTicks: yt.map((t) => ({ y: px(y(t)), label: formatStrike(t) })),
    xLabel: 'Report date',
    yLabel: 'Level',
    zeroY: null,
    bands: [],
    groups: [],
    lines: HISTORY_SERIES.flatMap((s) =>
      runs(points, s).map((run) => ({
        points: run.map((p) => `${px(xOf(p))},${px(y(p[s]!))}`).join(' '),
        cls: LEVELS[s].cls,
        tip: LEVELS[s].name,
      })),
    ),
    dots: HISTORY_SERIES.flatMap((s) =>
      points
        .filter((p) => p[s] !== null)
        .map((p) => ({
          x: px(xOf(p)),
          y: px(y(p[s]!)),
          cls: LEVELS[s].cls,
          tip: `${p.date} ${LEVELS[s].name.toLowerCase()} ${formatPrice(p[s])}`,
        })),
    ),
    markers: [],
    legend: HISTORY_SERIES.map(lineEntry),
  };
}

/** Net GEX at each report (two reports or more), on the same time axis. */
export function historyGexChart(
  symbol: string,
  points: HistoryPoint[],
  size: Size = 'wide',
): ChartModel | null {
  if (points.length < 2) return null;
  const f = frame(size, PLAIN_TOP, 260);
  const { xOf, ticks } = timeAxis(points, f, size);
  const { y, yTicks, zeroY } = usdAxis(
    points.map((p) => p.netGex),
    f,
  );
  let gap = Infinity;
  for (let i = 1; i < points.length; i++) gap = Math.min(gap, xOf(points[i]!) - xOf(points[i - 1]!));
  const width = Math.max(2, Math.min(20, gap * 0.6));
  return {
    id: `history-gex-${size}`,
    title: `${symbol} net gamma exposure over time`,
    description: `Net GEX in USD per 1% move at each of ${points.length} reports: ${points
      .map((p) => `${p.date} ${formatUsd(p.netGex)}`)
      .join(', ')}.`,
    ...f,
    xTicks: ticks,
    yTicks,
    xLabel: 'Report date',
    yLabel: 'Net GEX per 1% move',
    zeroY,
    bands: [],
    groups: points.map((p) => ({
      tip: `${p.date}: net ${formatUsd(p.netGex)}, ${p.regime} gamma`,
      rects: [barFromZero(xOf(p), width, y, p.netGex, p.netGex > 0 ? 'pos' : 'neg')],
    })),
    lines: [],
    dots: [],
    markers: [],
    legend: [
      { cls: 'pos', label: 'Positive gamma', kind: 'box' },
      { cls: 'neg', label: 'Negative gamma', kind: 'box' },
    ],
  };
}

const pct = (share: number, digits = 0) => formatPercent(share * 100, digits);

/**
 * The regime evidence's pairs (docs/methodology.md §16): each pair's normalised move |r| / √dt (on the scale
 * of an annualised volatility) against the tilt of its first report, coloured by that report's regime, with
 * each regime's annualised volatility as a dashed level. The claim predicts larger moves to the left.
 */
export function evidenceScatterChart(
  symbol: string,
  pairs: readonly EvidencePair[],
  evidence: Evidence,
  size: Size = 'wide',
): ChartModel | null {
  const tilted = pairs.filter((p) => typeof p.from.tilt === 'number');
  if (tilted.length === 0) return null;
  const f = frame(size);
  const tilts = tilted.map((p) => p.from.tilt!);
  const xd = niceDomain(Math.min(0, ...tilts), Math.max(0, ...tilts), SIZES[size].ticks >= 10 ? 8 : 4);
  // Room for half a tick label at each end.
  const x = linearScale(xd.domain, [f.plot.left + 20, f.plot.right - 20]);
  const vols = [evidence.byRegime.positive.annualisedVol, evidence.byRegime.negative.annualisedVol];
  const top = Math.max(...tilted.map((p) => p.x), ...vols.map((v) => v ?? 0));
  const yd = niceDomain(0, top, 5);
  const y = linearScale(yd.domain, [f.plot.bottom, f.plot.top]);
  const regime = (p: EvidencePair) => (p.from.netGex > 0 ? 'pos' : p.from.netGex < 0 ? 'neg' : 'flat');
  const levels = (['positive', 'negative'] as const).flatMap((name) => {
    const v = evidence.byRegime[name].annualisedVol;
    if (v === null) return [];
    const cls = name === 'positive' ? 'vol-pos' : 'vol-neg';
    return [
      {
        points: `${f.plot.left},${px(y(v))} ${f.plot.right},${px(y(v))}`,
        cls,
        tip: `Annualised volatility after ${name}-gamma reports: ${pct(v, 1)}`,
      },
    ];
  });
  const { positive, negative } = evidence.byRegime;
  return {
    id: `evidence-moves-${size}`,
    title: `${symbol} move after each report against its gamma tilt`,
    description:
      `${tilted.length} pairs of reports: the move to the next report, |ln(spot ratio)| / √years, against the ` +
      `first report's tilt from ${formatTilt(Math.min(...tilts))} to ${formatTilt(Math.max(...tilts))}; ` +
      `${positive.n} after positive gamma (annualised ${positive.annualisedVol === null ? '—' : pct(positive.annualisedVol, 1)}), ` +
      `${negative.n} after negative gamma (annualised ${negative.annualisedVol === null ? '—' : pct(negative.annualisedVol, 1)}).`,
    ...f,
    xTicks: xd.ticks.map((t) => ({ x: px(x(t)), label: formatTilt(t) })),
    yTicks: yd.ticks.map((t) => ({ y: px(y(t)), label: pct(t) })),
    xLabel: 'Gamma tilt of the first report',
    yLabel: 'Move, annualised',
    zeroY: null,
    bands: [],
    groups: [],
    lines: [
      {
        points: `${px(x(0))},${f.plot.top} ${px(x(0))},${f.plot.bottom}`,
        cls: 'divide',
        tip: 'Tilt 0: negative gamma to the left, positive to the right',
      },
      ...levels,
    ],
    dots: tilted.map((p) => ({
      x: px(x(p.from.tilt!)),
      y: px(y(p.x)),
      cls: regime(p),
      tip: `${p.from.asOf.slice(0, 16).replace('T', ' ')} → ${p.to.asOf.slice(0, 16).replace('T', ' ')} UTC: tilt ${formatTilt(p.from.tilt!)}, move ${pct(p.r, 2)}, annualised ${pct(p.x, 1)}`,
    })),
    markers: [],
    legend: [
      { cls: 'pos', label: 'After a positive-gamma report', kind: 'box' },
      { cls: 'neg', label: 'After a negative-gamma report', kind: 'box' },
      ...levels.map((l) => ({
        cls: l.cls,
        label: `Annualised volatility, ${l.cls === 'vol-pos' ? 'positive' : 'negative'} gamma`,
        kind: 'line' as const,
      })),
    ],
  };
}

/** The rates the evidence checks, in the order the page shows them. */
const RATES = [
  { key: 'expectedMove', label: 'Expected move', what: 'Inside the expected move' },
  { key: 'callWall', label: 'Call wall', what: 'Call wall held' },
  { key: 'putWall', label: 'Put wall', what: 'Put wall held' },
] as const;

/**
 * One rate of the evidence in words and numbers: `Call wall held: 30 of 38 pairs, 79% (95% interval 63% to
 * 89%)`, or `Call wall held: no pairs`.
 */
export function rateText(evidence: Evidence, key: (typeof RATES)[number]['key']): string {
  const spec = RATES.find((r) => r.key === key)!;
  const r = evidence[key];
  const hits = 'inside' in r ? r.inside : r.held;
  if (r.rate === null || r.wilson95 === null) return `${spec.what}: no pairs`;
  return `${spec.what}: ${hits} of ${r.n} pairs, ${pct(r.rate)} (95% interval ${pct(r.wilson95[0])} to ${pct(r.wilson95[1])})`;
}

/**
 * How often the expected move contained the move to the next report and the walls held (§16): a bar per rate
 * with its Wilson 95% interval, and the lognormal model's 68.3% on the expected-move row. Null without pairs.
 */
export function evidenceRatesChart(
  symbol: string,
  evidence: Evidence,
  size: Size = 'wide',
): ChartModel | null {
  if (RATES.every(({ key }) => evidence[key].n === 0)) return null;
  const rowHeight = 44;
  const left = size === 'wide' ? 120 : 108;
  const width = SIZES[size].width;
  const f: Frame = {
    width,
    height: PLAIN_TOP + rowHeight * RATES.length + MARGIN.bottom,
    plot: {
      left,
      top: PLAIN_TOP,
      right: width - MARGIN.right,
      bottom: PLAIN_TOP + rowHeight * RATES.length,
    },
  };
  const x = linearScale([0, 1], [f.plot.left, f.plot.right]);
  const cy = (i: number) => f.plot.top + rowHeight * (i + 0.5);
  const lines: ChartModel['lines'] = [];
  const groups: ChartModel['groups'] = [];
  RATES.forEach(({ key }, i) => {
    const r = evidence[key];
    if (r.rate === null || r.wilson95 === null) return;
    const [lo, hi] = r.wilson95;
    const c = cy(i);
    groups.push({
      tip: rateText(evidence, key),
      rects: [{ x: px(x(0)), y: px(c - 9), w: px(x(r.rate) - x(0)), h: 18, cls: 'rate' }],
    });
    lines.push({
      points: `${px(x(lo))},${px(c - 6)} ${px(x(lo))},${px(c + 6)} ${px(x(lo))},${px(c)} ${px(x(hi))},${px(c)} ${px(x(hi))},${px(c - 6)} ${px(x(hi))},${px(c + 6)}`,
      cls: 'interval',
      tip: `95% interval ${pct(lo)} to ${pct(hi)}`,
    });
    if (key === 'expectedMove') {
      lines.push({
        points: `${px(x(MODEL_INSIDE))},${px(c - 16)} ${px(x(MODEL_INSIDE))},${px(c + 16)}`,
        cls: 'model',
        tip: `Lognormal model: ${pct(MODEL_INSIDE, 1)} inside one standard deviation`,
      });
    }
  });
  return {
    id: `evidence-rates-${size}`,
    title: `${symbol}: how often the expected move contained the move and the walls held`,
    description: `${RATES.map(({ key }) => rateText(evidence, key)).join('; ')}; the lognormal model puts ${pct(MODEL_INSIDE, 1)} inside the expected move.`,
    ...f,
    xTicks: [0, 0.25, 0.5, 0.75, 1].map((t) => ({ x: px(x(t)), label: pct(t) })),
    yTicks: RATES.map(({ label }, i) => ({ y: px(cy(i)), label })),
    xLabel: 'Share of pairs of reports',
    yLabel: '',
    zeroY: null,
    bands: [],
    groups,
    lines,
    dots: [],
    markers: [],
    legend: [
      { cls: 'rate', label: 'Rate', kind: 'box' },
      { cls: 'interval', label: 'Wilson 95% interval', kind: 'line' },
      { cls: 'model', label: `Lognormal model, ${pct(MODEL_INSIDE, 1)}`, kind: 'line' },
    ],
  };
}

/** A chart in both sizes with their shared legend, or null when there is nothing to draw. */
export function figure(draw: (size: Size) => ChartModel | null): Figure | null {
  const wide = draw('wide');
  const narrow = draw('narrow');
  return wide === null || narrow === null
    ? null
    : { wide, narrow, legend: wide.legend, heat: 'cells' in wide };
}

export interface Sparkline {
  width: number;
  height: number;
  spot: string;
  flip: string[];
  label: string;
}

/** A sparkline's box, px. */
export const SPARK_SIZE = { width: 88, height: 28 } as const;

/**
 * A small spot-and-flip line for the screener on a time axis, on whole pixels (the index page's data carries
 * each point in a character: lambda/report/screener.ts); null with fewer than two reports.
 */
export function sparkline(
  symbol: string,
  points: readonly Pick<HistoryPoint, 'date' | 'asOf' | 'spot' | 'flip'>[],
): Sparkline | null {
  if (points.length < 2) return null;
  const { width, height } = SPARK_SIZE;
  const values = points.flatMap((p) => (p.flip === null ? [p.spot] : [p.spot, p.flip]));
  const times = points.map((p) => Date.parse(p.asOf));
  const x = linearScale([times[0]!, times[times.length - 1]!], [2, width - 2]);
  const y = linearScale([Math.min(...values), Math.max(...values)], [height - 2, 2]);
  const line = (ps: readonly (typeof points)[number][], key: 'spot' | 'flip') =>
    ps.map((p) => `${Math.round(x(Date.parse(p.asOf)))},${Math.round(y(p[key]!))}`).join(' ');
  return {
    width,
    height,
    spot: line(points, 'spot'),
    flip: runs(points, 'flip').map((run) => line(run, 'flip')),
    label: `${symbol} spot (solid) and gamma flip (dashed) over ${points.length} reports from ${points[0]!.date} to ${points[points.length - 1]!.date}`,
  };
}

/**
 * The open-interest changes since the previous report at the strikes that moved most (§11): call and put
 * changes as bars diverging from zero, strikes in ascending order.
 */
export function oiChangeChart(r: ReportRecord, size: Size = 'wide'): ChartModel | null {
  const rows = [...(r.change?.oi ?? [])].filter((s) => s.callOi !== 0 || s.putOi !== 0);
  if (rows.length === 0) return null;
  rows.sort((a, b) => a.strike - b.strike);
  const f = frame(size, PLAIN_TOP, 240);
  const { band, cx } = bands(f, rows.length);
  const { domain, ticks } = niceDomain(
    Math.min(0, ...rows.flatMap((s) => [s.callOi, s.putOi])),
    Math.max(0, ...rows.flatMap((s) => [s.callOi, s.putOi])),
    4,
  );
  const y = linearScale(domain, [f.plot.bottom, f.plot.top]);
  const w = Math.max(2, Math.min(24, band * 0.35));
  const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '\u2212' : ''}${formatStrike(Math.abs(n))}`;
  return {
    id: `oi-change-${size}`,
    title: `${r.symbol} open-interest changes since the previous report`,
    description: `Change of call and put open interest at the ${rows.length} strikes that moved most: ${rows
      .map((s) => `${formatStrike(s.strike)} calls ${signed(s.callOi)}, puts ${signed(s.putOi)}`)
      .join('; ')}.`,
    ...f,
    xTicks: rows
      .map((s, i) => ({ x: px(cx(i)), label: formatStrike(s.strike) }))
      .filter((_, i) => size === 'wide' || i % 2 === 0),
    yTicks: ticks.map((t) => ({ y: px(y(t)), label: signed(t) })),
    xLabel: 'Strike',
    yLabel: 'Change in contracts',
    zeroY: px(y(0)),
    bands: [],
    groups: rows.map((s, i) => ({
      tip: `Strike ${formatStrike(s.strike)}: calls ${signed(s.callOi)}, puts ${signed(s.putOi)}`,
      rects: [
        barFromZero(cx(i) - w / 2, w, y, s.callOi, 'call'),
        barFromZero(cx(i) + w / 2, w, y, s.putOi, 'put'),
      ],
    })),
    lines: [],
    dots: [],
    markers: [],
    legend: [
      { cls: 'call', label: 'Change in call open interest', kind: 'box' },
      { cls: 'put', label: 'Change in put open interest', kind: 'box' },
    ],
  };
}

/** Shades of the heatmap on each side of zero. */
const HEAT_STEPS = 4;

/** Columns the heatmap draws at most: neighbouring strikes beyond that are summed into one column. */
const HEAT_COLUMNS: Record<Size, number> = { wide: 64, narrow: 32 };

/** A heatmap: the grid's cells as rectangles with a shade class, and the columns' strike ranges. */
export interface Heatmap extends ChartModel {
  cells: { x: number; y: number; w: number; h: number; cls: string; tip: string }[];
  rows: { y: number; label: string }[];
}

/**
 * The strike × expiry grid (§12) as a heatmap: expiries down, strikes across, each cell shaded by its net GEX
 * on a scale centred on zero (the square root of its share of the largest, so small cells stay visible),
 * spot marked. Past HEAT_COLUMNS strikes, neighbours are summed into columns of equal strike width.
 */
export function heatmapChart(r: ReportRecord, size: Size = 'wide'): Heatmap | null {
  const g = r.grid;
  if (g.strikes.length === 0 || g.expiries.length === 0) return null;
  const first = g.strikes[0]!;
  const last = g.strikes[g.strikes.length - 1]!;
  const binned = g.strikes.length > HEAT_COLUMNS[size];
  // Columns of a round strike width (5, 10, 25…) when strikes must be summed: their edges read as prices.
  const width = binned ? niceStep(last - first, HEAT_COLUMNS[size]) : 0;
  const lo = binned ? Math.floor(first / width) * width : first;
  const n = binned ? Math.floor((last - lo) / width) + 1 : g.strikes.length;
  const hi = binned ? lo + n * width : last;
  const column = (k: number) => (binned ? Math.floor((k - lo) / width) : g.strikes.indexOf(k));
  const sums = g.expiries.map(() => new Array<number>(n).fill(0));
  g.netGex.forEach((row, i) => row.forEach((v, j) => (sums[i]![column(g.strikes[j]!)]! += v)));
  const colLabel = (j: number) =>
    binned
      ? `${formatStrike(lo + j * width)}–${formatStrike(lo + (j + 1) * width)}`
      : formatStrike(g.strikes[j]!);
  const rowHeight = size === 'wide' ? 22 : 20;
  const left = size === 'wide' ? 92 : 84;
  const f: Frame = {
    width: SIZES[size].width,
    height: PLAIN_TOP + 18 + rowHeight * g.expiries.length + MARGIN.bottom,
    plot: { left, top: PLAIN_TOP + 18, right: SIZES[size].width - MARGIN.right, bottom: 0 },
  };
  f.plot.bottom = f.plot.top + rowHeight * g.expiries.length;
  const cellWidth = (f.plot.right - f.plot.left) / n;
  const largest = Math.max(...sums.flat().map(Math.abs));
  const shade = (v: number) => {
    if (v === 0 || largest === 0) return 'h0';
    const step = Math.max(1, Math.ceil(Math.sqrt(Math.abs(v) / largest) * HEAT_STEPS));
    return `${v > 0 ? 'hp' : 'hn'}${step}`;
  };
  const x = linearScale([lo, hi], [f.plot.left, f.plot.right]);
  const xAt = (strike: number) =>
    binned ? x(strike) : f.plot.left + cellWidth * (g.strikes.indexOf(strike) + 0.5);
  const spotX = binned ? x(r.spot) : f.plot.left + cellWidth * g.strikes.filter((k) => k < r.spot).length;
  const flat = sums.flatMap((row, i) => row.map((v, j) => ({ v, i, j })));
  const most = [...flat].sort((a, b) => b.v - a.v)[0]!;
  const least = [...flat].sort((a, b) => a.v - b.v)[0]!;
  const ticks = ticksWithin(lo, hi, SIZES[size].ticks).map((t) => ({
    x: px(binned ? x(t) : xAt(g.strikes.reduce((a, b) => (Math.abs(b - t) < Math.abs(a - t) ? b : a)))),
    label: formatStrike(t),
  }));
  return {
    id: `heatmap-${size}`,
    title: `${r.symbol} net GEX by expiry and strike`,
    description:
      `Net GEX in USD per 1% move for ${g.expiries.length} expiry dates from ${g.expiries[0]} to ${g.expiries[g.expiries.length - 1]} ` +
      `and strikes from ${formatStrike(lo)} to ${formatStrike(hi)}; the largest positive is ${formatUsd(most.v)} at ${g.expiries[most.i]} ` +
      `${colLabel(most.j)}, the largest negative ${formatUsd(least.v)} at ${g.expiries[least.i]} ${colLabel(least.j)}; spot ${formatPrice(r.spot)}.`,
    ...f,
    xTicks: ticks,
    yTicks: [],
    xLabel: binned ? `Strike (columns of ${formatStrike(width)})` : 'Strike',
    yLabel: '',
    zeroY: null,
    bands: [],
    groups: [],
    lines: [],
    dots: [],
    markers: [{ x: px(spotX), cls: 'spot', label: `Spot ${formatPrice(r.spot)}`, labelY: f.plot.top - 6 }],
    legend: [
      { cls: 'hn4', label: 'Net GEX below zero (darker: larger)', kind: 'box' },
      { cls: 'hp4', label: 'Net GEX above zero', kind: 'box' },
      lineEntry('spot'),
    ],
    cells: flat.map(({ v, i, j }) => ({
      x: px(f.plot.left + j * cellWidth),
      y: px(f.plot.top + i * rowHeight),
      w: px(cellWidth),
      h: rowHeight - 1,
      cls: shade(v),
      tip: `${g.expiries[i]}, strike ${colLabel(j)}: net ${formatUsd(v)}`,
    })),
    rows: g.expiries.map((e, i) => ({ y: px(f.plot.top + (i + 0.5) * rowHeight), label: e })),
  };
}
