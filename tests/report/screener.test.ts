import { analyse } from '../../lambda/gamma/analyse';
import { changeSince } from '../../lambda/gamma/change';
import type { StoredRecord } from '../../lambda/record-schema';
import {
  COLUMNS,
  comparison,
  DEFAULT_FRESHNESS,
  embeddedJson,
  highlights,
  HIGHLIGHTS,
  packSpark,
  PAGE_ROWS,
  ranks,
  SPARK_BASE,
  screenerRow,
  screenerTable,
  summarize,
  type Summary,
} from '../../lambda/report/screener';
import { synthesisedSummaries } from '../support/summaries';
import { renderIndexPage } from '../../lambda/report/render';
import type { ReportRecord } from '../../lambda/types';
import { combineBook } from '../../lambda/gamma/book';
import { deribitBtc, secondVenueChain } from '../book-fixture';
import { loadFixture } from '../helpers';

const spx = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));

/** SPX's record as if its quotes were of `quotes`, snapshot at `asOf`. */
function at(asOf: string, quotes: string): ReportRecord {
  return { ...spx, asOf, session: { quotes, openInterest: quotes } };
}

/** How `current` is judged against `previous` under the default limit (one session). */
function judged(previous: StoredRecord, current: ReportRecord) {
  return comparison(current, changeSince(previous, current), DEFAULT_FRESHNESS);
}

describe('freshness of the previous report: sessions between the two quote sessions', () => {
  it('counts a Friday to the next Monday as one session, and to Tuesday as two', () => {
    const friday = at('2023-09-15T20:30:00.000Z', '2023-09-15');
    expect(judged(friday, at('2023-09-18T20:30:00.000Z', '2023-09-18'))).toEqual({
      fresh: true,
      age: '1 session earlier',
    });
    expect(judged(friday, at('2023-09-19T20:30:00.000Z', '2023-09-19'))).toEqual({
      fresh: false,
      age: '2 sessions earlier',
    });
  });

  it('skips a holiday: Friday 2023-05-26 to Tuesday 05-30 across Memorial Day is one session', () => {
    const friday = at('2023-05-26T21:01:00.000Z', '2023-05-26');
    expect(judged(friday, at('2023-05-30T21:00:00.000Z', '2023-05-30'))).toMatchObject({ fresh: true });
  });

  it('reads the previous report’s own quote session, not the session open at its download', () => {
    // Downloaded Monday 2023-09-18 after the open, its last trade Friday's: Friday's quotes. Tuesday's report
    // is two sessions later, though Monday's session was open at that download.
    const stale = at('2023-09-18T14:00:00.000Z', '2023-09-15');
    expect(judged(stale, at('2023-09-19T20:30:00.000Z', '2023-09-19'))).toEqual({
      fresh: false,
      age: '2 sessions earlier',
    });
  });

  it('falls back to the session open at the download for a previous record stored without one', () => {
    // A record an older version wrote at Tuesday 08:30 New York, before the open: Monday's quotes. Wednesday's
    // report is two sessions later (Tuesday, Wednesday), not one as the download's date would say.
    const older: StoredRecord = { ...at('2023-09-19T12:30:00.000Z', '2023-09-18'), session: undefined };
    const wednesday = at('2023-09-20T20:30:00.000Z', '2023-09-20');
    expect(judged(older, wednesday)).toEqual({ fresh: false, age: '2 sessions earlier' });
  });

  it('counts from the session open at the earlier snapshot for a change stored without its session', () => {
    // Tuesday 08:30 New York, before the open, is Monday's session: Wednesday is two sessions later.
    const wednesday = at('2023-09-20T20:30:00.000Z', '2023-09-20');
    const change = { ...changeSince(at('2023-09-19T12:30:00.000Z', '2023-09-18'), wednesday) };
    delete change.previousSession;
    expect(comparison(wednesday, change, DEFAULT_FRESHNESS)).toEqual({
      fresh: false,
      age: '2 sessions earlier',
    });
  });
});

describe('the screener’s highlights', () => {
  /** One summary per symbol with the ranking fields given, the rest SPX 2023-09-14's. */
  const entry = (symbol: string, row: Partial<Summary['row']>): Summary => {
    const s = summarize({ ...spx, symbol }, [], DEFAULT_FRESHNESS);
    return { ...s, row: { ...s.row, ...row } };
  };
  const symbols = (list: Summary[]) => list.map((s) => s.row.symbol);

  it('lists the most 0DTE gamma first, largest share first, at most five, none without any', () => {
    const shares = { A: 0.1, B: 0.5, C: 0.3, D: 0, E: 0.9, F: 0.2, G: 0.4 };
    const h = highlights(Object.entries(shares).map(([s, zeroDteShare]) => entry(s, { zeroDteShare })));
    expect(HIGHLIGHTS).toBe(5);
    expect(symbols(h.zeroDte)).toEqual(['E', 'B', 'G', 'C', 'F']);
  });

  it('lists the nearest to their flip first, above or below, and leaves out those with none', () => {
    const distances = { A: 2.5, B: -0.2, C: 0.3, D: null, E: -1.1, F: 4, G: 0.25 };
    const h = highlights(
      Object.entries(distances).map(([s, flipDistancePct]) => entry(s, { flipDistancePct })),
    );
    expect(symbols(h.nearFlip)).toEqual(['B', 'G', 'C', 'E', 'A']);
  });

  it('lists negative gamma, most negative tilt first, and breaks ties by symbol', () => {
    const tilts = { A: -0.1, B: -0.6, C: 0.2, E: -0.3, D: -0.3 };
    const h = highlights(
      Object.entries(tilts).map(([s, tilt]) =>
        entry(s, { tilt, regime: tilt < 0 ? 'negative' : 'positive' }),
      ),
    );
    expect(symbols(h.negative)).toEqual(['B', 'D', 'E', 'A']);
  });
});

describe('the screener’s expected move', () => {
  it('carries how far ahead it looks: from 16:31 to the 16:00 SPXW expiry the next day, 23 h 29 min', () => {
    expect(screenerRow(spx, null).expectedMoveHours).toBeCloseTo(23 + 29 / 60, 9);
    expect(renderIndexPage([summarize(spx, [], DEFAULT_FRESHNESS)], new Date())).toContain('±0.51% in 23 h');
  });
});

describe('the venue count of a crypto book', () => {
  // The second venue is the real Deribit chain scaled into another venue's shape (tests/book-fixture.ts).
  it('is in its row and beside its name on the screener; a Cboe underlying has none', () => {
    const deribit = deribitBtc();
    const btc = analyse(combineBook([deribit, secondVenueChain(deribit)]).chain);
    expect(screenerRow(btc, null).venues).toBe(2);
    expect(screenerRow(analyse(deribit), null).venues).toBe(1);
    expect(screenerRow(spx, null).venues).toBeNull();
    const page = renderIndexPage(
      [summarize(btc, [], DEFAULT_FRESHNESS), summarize(spx, [], DEFAULT_FRESHNESS)],
      new Date(),
    );
    expect(page).toContain('>BTC</a> <small data-field="venue-count">2 venues</small><br>');
    expect(page).toContain('>SPX</a><br>');
  });
});

describe('the screener’s data at 5,000 rows', () => {
  const entries = synthesisedSummaries(summarize(spx, [], DEFAULT_FRESHNESS), 5000);
  const { firstPage, data } = screenerTable([...entries].reverse());
  const column = (label: string) => COLUMNS.findIndex((c) => c.label === label);

  it('carries every row by symbol and draws the first page of them', () => {
    const bySymbol = entries.map((e) => e.row.symbol).sort();
    expect(data.rows.map((r) => r[0])).toEqual(bySymbol);
    expect(firstPage.map((r) => r.symbol)).toEqual(bySymbol.slice(0, PAGE_ROWS));
    expect(data.pageRows).toBe(PAGE_ROWS);
  });

  it('ranks each sortable column so that the largest value has the largest rank, and no rank without a value', () => {
    const gex = column('Net GEX');
    const top = data.rows.reduce((a, b) => (b[5][gex]! > a[5][gex]! ? b : a));
    const largest = entries.reduce((a, b) => (b.row.netGex > a.row.netGex ? b : a));
    expect(top[0]).toBe(largest.row.symbol);
    const vol = column('Vol ratio');
    const none = entries.filter((e) => e.row.volRatio === null).map((e) => e.row.symbol);
    expect(none.length).toBeGreaterThan(0);
    expect(data.rows.filter((r) => r[5][vol] === null).map((r) => r[0])).toEqual(none.sort());
    // The regime has no value to sort by.
    expect(data.rows.every((r) => r[5][column('Regime')] === null)).toBe(true);
  });

  it('shows each column’s text as the page without its script does', () => {
    expect(data.rows[0]![4]).toEqual(firstPage[0]!.cells.map((c) => c.text));
  });
});

describe('ranks', () => {
  it('place values in ascending order, equal values sharing one, none for no value', () => {
    expect(ranks([3, null, 1, 3, 2.5, -7])).toEqual([3, null, 1, 3, 2, 0]);
    expect(ranks([])).toEqual([]);
  });
});

describe('a packed sparkline', () => {
  it('carries a character per report: x, spot’s y, flip’s y or a space where it has none', () => {
    const c = (v: number) => String.fromCharCode(SPARK_BASE + v);
    const spark = { width: 88, height: 28, spot: '2,26 30,14 86,2', flip: ['2,20', '86,3'], label: '' };
    expect(packSpark(spark, [true, false, true])).toEqual([
      c(2) + c(30) + c(86),
      c(26) + c(14) + c(2),
      `${c(20)} ${c(3)}`,
    ]);
    // The largest whole pixels stay in printable ASCII.
    expect(c(86)).toBe('y');
  });
});

describe('the page’s embedded data', () => {
  it('has no `<`, so a symbol cannot end its script element, and reads back the same', () => {
    const data = { rows: [['</script><script>alert(1)</script>']] };
    const text = embeddedJson(data);
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual(data);
  });
});
