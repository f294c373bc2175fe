import { analyse } from '../../lambda/gamma/analyse';
import {
  byExpiryChart,
  exposureByStrikeChart,
  figure,
  historyGexChart,
  historyLevelsChart,
  placeMarkers,
  profileChart,
  sparkline,
  type ChartModel,
} from '../../lambda/report/charts';
import { historyPoint, type HistoryPoint } from '../../lambda/report/history';
import { linearScale, niceDomain, niceStep, ticksWithin } from '../../lambda/report/scale';
import { loadFixture } from '../helpers';

const spx = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));

/** Inverse of the chart's x mapping, read off two ticks (ticks are labelled with their values). */
function xOf(chart: ChartModel, value: number): number {
  const [a, b] = chart.xTicks;
  const va = Number(a!.label.replace(/,/g, ''));
  const vb = Number(b!.label.replace(/,/g, ''));
  return a!.x + ((value - va) * (b!.x - a!.x)) / (vb - va);
}

describe('scales and ticks', () => {
  it('maps a domain linearly onto a range, reversed when asked', () => {
    const y = linearScale([0, 100], [300, 50]);
    expect([y(0), y(50), y(100)]).toEqual([300, 175, 50]);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });

  it('picks 1-2-2.5-5 steps', () => {
    expect(niceStep(100, 5)).toBe(20);
    expect(niceStep(9e9, 5)).toBe(2e9);
    expect(niceStep(0.7, 5)).toBe(0.2);
    expect(niceStep(1200, 8)).toBe(200);
  });

  it('widens a domain to whole steps that cover the data, ticks included', () => {
    const { domain, ticks } = niceDomain(-37e9, 61e9, 5);
    expect(domain).toEqual([-40e9, 80e9]);
    expect(ticks).toEqual([-40e9, -20e9, 0, 20e9, 40e9, 60e9, 80e9]);
    expect(niceDomain(3, 3).domain[0]).toBeLessThan(3);
  });

  it('keeps ticks inside a fixed domain', () => {
    expect(ticksWithin(4054.6, 4955.6, 8)).toEqual([4200, 4400, 4600, 4800]);
    expect(ticksWithin(4054.6, 4955.6, 10)).toEqual([4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800, 4900]);
  });
});

describe('GEX by strike', () => {
  const chart = exposureByStrikeChart(spx, 'Gex', 10)!;
  const inWindow = spx.byStrike.filter((s) => s.strike >= spx.spot * 0.9 && s.strike <= spx.spot * 1.1);

  it('draws one group of call, put and net bars for each strike within ±10% of spot', () => {
    expect(chart.groups).toHaveLength(inWindow.length);
    expect(chart.groups.every((g) => g.rects.map((r) => r.cls).join() === 'call,put,net')).toBe(true);
  });

  it('centres each group on its strike and scales bar heights by GEX', () => {
    const zero = chart.zeroY!;
    const [tickA, tickB] = chart.yTicks.filter((t) => t.label !== '$0');
    const perDollar = (tickA!.y - tickB!.y) / (parseUsd(tickB!.label) - parseUsd(tickA!.label));
    inWindow.forEach((s, i) => {
      const [call, put] = chart.groups[i]!.rects;
      expect(call!.x + call!.w / 2).toBeCloseTo(xOf(chart, s.strike), 0);
      expect(call!.y + call!.h).toBeCloseTo(zero, 0); // calls stand on the zero line
      expect(put!.y).toBeCloseTo(zero, 0); // puts hang from it
      expect(call!.h).toBeCloseTo(s.callGex * perDollar, 0);
      expect(put!.h).toBeCloseTo(-s.putGex * perDollar, 0);
    });
  });

  it('marks spot, flip and both walls at their x', () => {
    const at = (cls: string, label: RegExp) =>
      chart.markers.find((m) => m.cls === cls && label.test(m.label))!;
    expect(at('spot', /^Spot 4,505\.10$/).x).toBeCloseTo(xOf(chart, spx.spot), 0);
    expect(at('flip', /^Gamma flip 4,494\.30$/).x).toBeCloseTo(xOf(chart, spx.flip.level!), 0);
    expect(at('call-wall', /^Call wall 4,525$/).x).toBeCloseTo(xOf(chart, 4525), 0);
    expect(at('put-wall', /^Put wall 4,500$/).x).toBeCloseTo(xOf(chart, 4500), 0);
  });

  it('shades the expected move to the next expiry between its lower and upper bounds', () => {
    const m = spx.expectedMove.nextExpiry!;
    const [band] = chart.bands;
    expect(chart.bands).toHaveLength(1);
    expect(band!.x).toBeCloseTo(xOf(chart, m.lower), 0);
    expect(band!.x + band!.w).toBeCloseTo(xOf(chart, m.upper), 0);
  });

  it('gives every level and the band its own style and legend entry', () => {
    expect(chart.legend.map((l) => `${l.kind} ${l.cls} ${l.label}`)).toEqual([
      'box call Call GEX',
      'box put Put GEX',
      'box net Net GEX',
      'line spot Spot',
      'line flip Gamma flip',
      'line call-wall Call wall',
      'line put-wall Put wall',
      'box move Expected move, next expiry',
    ]);
    expect(new Set(chart.markers.map((m) => m.cls))).toEqual(
      new Set(['spot', 'flip', 'call-wall', 'put-wall']),
    );
  });

  it('keeps marker labels in rows that do not overlap, above the plot', () => {
    const placed = placeMarkers(
      [
        { x: 100, cls: 'a', label: 'Spot 4,505.10' },
        { x: 104, cls: 'b', label: 'Flip 4,494.30' },
        { x: 400, cls: 'c', label: 'Put wall 4,000' },
      ],
      66,
    );
    expect(placed.map((m) => m.labelY)).toEqual([60, 46, 60]);
  });

  it('narrows the window on request and is absent when no strike falls in it', () => {
    expect(exposureByStrikeChart(spx, 'Gex', 2)!.groups.length).toBeLessThan(inWindow.length);
    expect(exposureByStrikeChart({ ...spx, byStrike: [] }, 'Gex', 10)).toBeNull();
  });
});

describe('the other exposures by strike, drawn by the same geometry', () => {
  it.each(['Dex', 'Vex', 'Cex'] as const)('draws one net %s bar per strike, up when above zero', (key) => {
    const chart = exposureByStrikeChart(spx, key, 10)!;
    const rows = spx.byStrike.filter((s) => s.strike >= spx.spot * 0.9 && s.strike <= spx.spot * 1.1);
    expect(chart.groups).toHaveLength(rows.length);
    const zero = chart.zeroY!;
    rows.forEach((s, i) => {
      const [bar] = chart.groups[i]!.rects;
      expect(chart.groups[i]!.rects).toHaveLength(1);
      const value = s[`net${key}`];
      expect(bar!.cls).toBe(value >= 0 ? 'pos' : 'neg');
      if (value > 0) expect(bar!.y + bar!.h).toBeCloseTo(zero, 0);
      if (value < 0) expect(bar!.y).toBeCloseTo(zero, 0);
    });
  });
});

describe('the two drawings of a chart', () => {
  it('draws wide and narrow with their own ids, the narrow one with fewer ticks and the same data', () => {
    const f = figure((size) => exposureByStrikeChart(spx, 'Gex', 10, size))!;
    expect(f.wide.id).toBe('gex-by-strike-wide');
    expect(f.narrow.id).toBe('gex-by-strike-narrow');
    expect(f.narrow.width).toBeLessThan(f.wide.width);
    expect(f.narrow.xTicks.length).toBeLessThan(f.wide.xTicks.length);
    expect(f.narrow.groups.map((g) => g.tip)).toEqual(f.wide.groups.map((g) => g.tip));
    expect(f.legend).toBe(f.wide.legend);
  });
});

function parseUsd(label: string): number {
  const m = /^([+\u2212]?)\$([\d.,]+)(bn|m|k)?$/.exec(label)!;
  const scale = { bn: 1e9, m: 1e6, k: 1e3, '': 1 }[m[3] ?? '']!;
  return (m[1] === '\u2212' ? -1 : 1) * Number(m[2]!.replace(/,/g, '')) * scale;
}

describe('gamma profile', () => {
  const chart = profileChart(spx);

  it('draws one curve for the next expiry when it is also the monthly (SPX 2023-09-15), through all 201 levels', () => {
    expect(spx.profile.nextExpiry).toBe(spx.profile.nextMonthly);
    expect(chart.lines.map((l) => l.cls)).toEqual(['ex-next', 'all']);
    for (const line of chart.lines) expect(line.points.split(' ')).toHaveLength(201);
  });

  it('draws both ex-curves in their own styles when the dates differ (SPY 2025-06-06)', () => {
    const spy = analyse(loadFixture('cboe_SPY_2025-06-06.json'));
    const c = profileChart(spy);
    expect(c.lines.map((l) => l.cls)).toEqual(['ex-monthly', 'ex-next', 'all']);
    expect(c.legend.filter((l) => l.kind === 'line').map((l) => l.label)).toEqual([
      'All expiries',
      'Without the next expiry (2025-06-09)',
      'Without the next monthly (2025-06-20)',
      'Spot',
      'Gamma flip',
    ]);
  });

  it('crosses the zero line where the flip marker stands', () => {
    const pts = chart.lines
      .find((l) => l.cls === 'all')!
      .points.split(' ')
      .map((p) => p.split(',').map(Number) as [number, number]);
    const zero = chart.zeroY!;
    const i = pts.findIndex((p, k) => k > 0 && (pts[k - 1]![1] - zero) * (p[1] - zero) <= 0);
    const flip = chart.markers.find((m) => m.cls === 'flip')!;
    expect(flip.x).toBeGreaterThanOrEqual(pts[i - 1]![0]);
    expect(flip.x).toBeLessThanOrEqual(pts[i]![0]);
  });

  it('names the next expiry, which is also the monthly, once in the legend', () => {
    expect(chart.legend.map((l) => l.label)).toEqual([
      'All expiries',
      'Without the next expiry, also the monthly (2023-09-15)',
      'Spot',
      'Gamma flip',
      'Expected move, next expiry',
    ]);
  });
});

describe('GEX by expiry', () => {
  it('gives each expiry date an equal band, in date order', () => {
    const chart = byExpiryChart(spx)!;
    expect(chart.groups).toHaveLength(spx.byExpiry.length);
    const centres = chart.groups.map((g) => g.rects[0]!.x + g.rects[0]!.w / 2);
    const band = (chart.plot.right - chart.plot.left) / spx.byExpiry.length;
    centres.forEach((c, i) => expect(c).toBeCloseTo(chart.plot.left + band * (i + 0.5), 0));
    expect(chart.xTicks[0]!.label).toBe(spx.byExpiry[0]!.expiry);
  });
});

describe('history', () => {
  const points: HistoryPoint[] = [
    'cboe_SPX_2023-05-23.csv',
    'cboe_SPX_2023-05-26.csv',
    'cboe_SPX_2023-06-08.csv',
  ].map((name) => {
    const r = analyse(loadFixture(name));
    return historyPoint(r, r.asOf.slice(0, 10));
  });

  it('needs two reports', () => {
    expect(historyLevelsChart('SPX', points.slice(0, 1))).toBeNull();
    expect(historyGexChart('SPX', points.slice(0, 1))).toBeNull();
    expect(sparkline('SPX', points.slice(0, 1))).toBeNull();
  });

  it('draws spot, flip and walls with a point per report, breaking a line where a level is missing', () => {
    const gap = points.map((p, i) => (i === 1 ? { ...p, flip: null } : p));
    const chart = historyLevelsChart('SPX', gap)!;
    expect(chart.lines.filter((l) => l.cls === 'spot')[0]!.points.split(' ')).toHaveLength(3);
    expect(chart.lines.filter((l) => l.cls === 'flip')).toHaveLength(2);
    expect(chart.dots.filter((d) => d.cls === 'flip')).toHaveLength(2);
  });

  it('places reports by time: the gap of 2023-05-26 to 06-08 is four times 05-23 to 05-26', () => {
    const chart = historyLevelsChart('SPX', points)!;
    const xs = chart.dots.filter((d) => d.cls === 'spot').map((d) => d.x);
    const days = points.map((p) => Date.parse(p.asOf) / 86400000);
    expect((xs[2]! - xs[1]!) / (xs[1]! - xs[0]!)).toBeCloseTo(
      (days[2]! - days[1]!) / (days[1]! - days[0]!),
      1,
    );
    expect((days[2]! - days[1]!) / (days[1]! - days[0]!)).toBeGreaterThan(4);
  });

  it('draws net GEX up for positive and down for negative gamma', () => {
    const chart = historyGexChart('SPX', points)!;
    const zero = chart.zeroY!;
    points.forEach((p, i) => {
      const bar = chart.groups[i]!.rects[0]!;
      if (p.netGex > 0) expect(bar.y + bar.h).toBeCloseTo(zero, 0);
      else expect(bar.y).toBeCloseTo(zero, 0);
      expect(bar.cls).toBe(p.netGex > 0 ? 'pos' : 'neg');
    });
  });

  it('spans the sparkline over its box', () => {
    const s = sparkline('SPX', points)!;
    const xs = s.spot.split(' ').map((p) => Number(p.split(',')[0]));
    expect(xs[0]).toBe(2);
    expect(xs[xs.length - 1]).toBe(s.width - 2);
  });
});
