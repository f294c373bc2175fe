import { analyse } from '../lambda/gamma/analyse';
import { reportDate } from '../lambda/record';
import { chain, contract, DAY_MS, loadFixture } from './helpers';

/** A hand-built chain of one venue at an instant, analysed: what its files are named by. */
function dateAt(iso: string, venue: 'cboe' | 'deribit'): string {
  const asOf = Date.parse(iso);
  const contracts = [
    contract({ expiry: asOf + 30 * DAY_MS }),
    contract({ type: 'put', expiry: asOf + 30 * DAY_MS }),
  ];
  const source = venue === 'cboe' ? 'cboe' : 'deribit';
  return reportDate(
    analyse(chain(contracts, { asOf, venue, source, symbol: venue === 'cboe' ? 'SPY' : 'BTC' })),
  );
}

describe('the date that names a report (docs/methodology.md §7, session)', () => {
  it('is the quote session for equities: the Cboe CSV downloaded on Saturday 2023-05-20 is Friday’s', () => {
    expect(reportDate(analyse(loadFixture('cboe_SPX_2023-05-19.csv')))).toBe('2023-05-19');
  });

  it('is the last trade’s session for the Cboe JSON downloaded on Sunday 2025-06-08: Friday 2025-06-06', () => {
    expect(reportDate(analyse(loadFixture('cboe_SPY_2025-06-06.json')))).toBe('2025-06-06');
  });

  it('is the previous session before the open: Tuesday 08:30 New York shows Monday’s quotes', () => {
    // 2025-06-10 08:30 EDT is 12:30 UTC; 09:30 EDT opens Tuesday's session.
    expect(dateAt('2025-06-10T12:30:00Z', 'cboe')).toBe('2025-06-09');
    expect(dateAt('2025-06-10T13:30:00Z', 'cboe')).toBe('2025-06-10');
    // A holiday (Juneteenth, Thursday 2025-06-19) shows Wednesday's session all day.
    expect(dateAt('2025-06-19T18:00:00Z', 'cboe')).toBe('2025-06-18');
  });

  it('is the UTC date of the snapshot for crypto, whatever New York’s date', () => {
    // 2026-03-13 02:00 UTC is still 2026-03-12 in New York; a Saturday is a day like any other.
    expect(dateAt('2026-03-13T02:00:00Z', 'deribit')).toBe('2026-03-13');
    expect(dateAt('2026-03-14T12:00:00Z', 'deribit')).toBe('2026-03-14');
  });
});
