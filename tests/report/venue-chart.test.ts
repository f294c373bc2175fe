import { analyse } from '../../lambda/gamma/analyse';
import { combineBook } from '../../lambda/gamma/book';
import { venueByStrikeChart } from '../../lambda/report/charts';
import { deribitBtc, secondVenueChain } from '../book-fixture';

// The second venue is the real Deribit chain scaled into another venue's shape (tests/book-fixture.ts).
const deribit = deribitBtc();
const book = analyse(combineBook([deribit, secondVenueChain(deribit, { oiScale: 0.5 })]).chain);

describe('the GEX-by-strike chart stacked by venue', () => {
  it('stacks each venue’s net GEX at a strike: the bars of a strike span exactly its venues’ sum', () => {
    const chart = venueByStrikeChart(book, 10)!;
    const inside = book.byStrike.filter((s) => s.strike >= book.spot * 0.9 && s.strike <= book.spot * 1.1);
    expect(chart.groups).toHaveLength(inside.length);
    // The top of each strike's stack above the zero line, in pixels.
    const zero = chart.zeroY!;
    const px = chart.groups.map((g) =>
      Math.max(0, ...g.rects.filter((r) => r.y + r.h <= zero + 0.01).map((r) => zero - r.y)),
    );
    const sums = inside.map((s) => {
      const i = book.byStrike.indexOf(s);
      return book.venues!.reduce((a, v) => a + Math.max(0, v.netGexByStrike[i]!), 0);
    });
    const k = Math.max(...px) / Math.max(...sums);
    px.forEach((p, j) => expect(p).toBeCloseTo(sums[j]! * k, 0));
    // Same sign at every strike here (one chain scaled): each venue's bar is its share of the stack.
    const g = chart.groups[px.indexOf(Math.max(...px))]!;
    expect(g.rects.map((r) => r.cls)).toEqual(['v1', 'v2']);
    expect(g.rects[1]!.h / g.rects[0]!.h).toBeCloseTo(0.5, 1);
    expect(chart.legend.slice(0, 2).map((l) => l.label)).toEqual(['Deribit', 'Bybit']);
  });

  it('is not drawn for one venue', () => {
    expect(venueByStrikeChart(analyse(deribit), 10)).toBeNull();
  });
});
