import { analyse } from '../../lambda/gamma/analyse';
import { expectedMove } from '../../lambda/gamma/expected-move';
import type { PreparedContract } from '../../lambda/gamma/exposure';
import type { OptionContract } from '../../lambda/types';
import { AS_OF, chain, contract, DAY_MS, HOUR_MS, twoSided } from '../helpers';

const YEAR_MS = 365 * DAY_MS;
const DATE = '2024-02-01';
/** 2024-02-01 21:00 UTC (16:00 New York), 30 days after AS_OF: the hand-built contracts' expiry. */
const EXPIRY = AS_OF + 30 * DAY_MS;

/** Contracts as the analysis hands them to §10: only the date and the contract are read there. */
const prepared = (contracts: Partial<OptionContract>[], date = DATE): PreparedContract[] =>
  contracts.map((c) => ({ contract: contract(c), date, terms: undefined as never, exposures: [] }));

describe('the expected move’s at-the-money IV (docs/methodology.md §10, steps 1 and 3)', () => {
  it('interpolates linearly in strike between the nearest strikes around the forward, however far apart', () => {
    // 100 → 0.30 and 130 → 0.10 around a forward of 110: 0.30 + (0.10 − 0.30) × 10/30; 90 is not a neighbour.
    const m = expectedMove(
      prepared([
        { strike: 90, iv: 0.4, forward: 110 },
        { strike: 130, iv: 0.1, forward: 110 },
        { strike: 100, iv: 0.3, forward: 110 },
      ]),
      DATE,
      AS_OF,
    )!;
    expect(m.atmIv).toBeCloseTo(0.3 - 0.2 / 3, 12);
  });

  it('takes a strike’s IV as the mean over its calls, puts and roots', () => {
    const m = expectedMove(
      prepared([
        { strike: 100, iv: 0.3 },
        { strike: 100, iv: 0.34, type: 'put' },
        { strike: 100, iv: 0.32, root: 'TESTW' },
        { strike: 90, iv: 0.9 },
        { strike: 110, iv: 0.9 },
      ]),
      DATE,
      AS_OF,
    )!;
    // The forward (100) is a listed strike: its own IV, the mean of the three.
    expect(m.atmIv).toBeCloseTo(0.32, 12);
  });

  it('cannot be worked out without a listed strike on each side of the forward', () => {
    const above = prepared([{ strike: 101 }, { strike: 120 }]);
    const below = prepared([{ strike: 80 }, { strike: 99.5 }]);
    expect(expectedMove(above, DATE, AS_OF)).toBeNull();
    expect(expectedMove(below, DATE, AS_OF)).toBeNull();
    expect(expectedMove(above, null, AS_OF)).toBeNull();
  });
});

describe('the expected move’s expiry (docs/methodology.md §10, step 4)', () => {
  it('runs to the latest expiry instant of its date, and says how long that is in years', () => {
    // A 09:30 root and a 16:00 root on one date: T runs to the 16:00 one, 6.5 hours later.
    const am = EXPIRY - 6.5 * HOUR_MS;
    const m = expectedMove(
      prepared([
        { strike: 95, iv: 0.2, expiry: am },
        { strike: 105, iv: 0.2, expiry: EXPIRY },
      ]),
      DATE,
      AS_OF,
    )!;
    const years = (EXPIRY - AS_OF) / YEAR_MS;
    expect(m.years).toBeCloseTo(years, 15);
    expect(m.move).toBeCloseTo(100 * 0.2 * Math.sqrt(years), 10);
  });

  it('floors that time at five minutes for a date whose last contract expires sooner', () => {
    const m = expectedMove(
      prepared([{ strike: 95 }, { strike: 105 }].map((c) => ({ ...c, expiry: AS_OF + 60_000 }))),
      DATE,
      AS_OF,
    )!;
    expect(m.years).toBeCloseTo(5 / (365 * 24 * 60), 15);
    expect(m.move).toBeCloseTo(100 * 0.2 * Math.sqrt(m.years!), 12);
  });

  it('reads only the contracts of the date asked for', () => {
    const m = expectedMove(
      [...prepared([{ strike: 95 }, { strike: 105 }]), ...prepared([{ strike: 100, iv: 0.9 }], '2024-02-08')],
      DATE,
      AS_OF,
    )!;
    expect(m.atmIv).toBeCloseTo(0.2, 12);
  });

  it('is to the nearest date still to expire and to the next standard monthly, from the analysis', () => {
    const at = (date: string, iv: number, hour = 21) =>
      [95, 105].map((strike) => contract({ strike, iv, expiry: Date.parse(`${date}T${hour}:00:00Z`) }));
    const contracts = [
      // Earlier today (2024-01-02) and already expired at AS_OF (15:00 UTC): not a remaining date.
      ...at('2024-01-02', 0.9, 14),
      ...at('2024-01-05', 0.15),
      ...at('2024-01-12', 0.25),
      // January's third Friday, the standard monthly.
      ...at('2024-01-19', 0.35),
    ];
    // Puts on a later, non-monthly date: a chain of calls alone is refused (§3).
    const r = analyse(chain(twoSided(contracts, Date.parse('2024-02-09T21:00:00Z'))));
    expect([r.expectedMove.nextExpiry!.expiry, r.expectedMove.nextExpiry!.atmIv]).toEqual([
      '2024-01-05',
      0.15,
    ]);
    expect(r.expectedMove.nextMonthly!.expiry).toBe('2024-01-19');
    expect(r.expectedMove.nextMonthly!.atmIv).toBeCloseTo(0.35, 12);
  });
});

describe('zero days to expiry: the snapshot’s date in the market’s zone (docs/methodology.md §9)', () => {
  /** A call and a put expiring at `expiry`, and one a month later, in a chain of `venue` at `asOf`. */
  const zeroDte = (venue: 'cboe' | 'deribit', asOf: string, expiry: string) => {
    const at = Date.parse(expiry);
    const contracts = [
      contract({ expiry: at }),
      contract({ expiry: at, type: 'put' }),
      contract({ expiry: at + 30 * DAY_MS }),
    ];
    const source = venue === 'cboe' ? 'cboe' : 'deribit';
    return analyse(chain(contracts, { venue, source, asOf: Date.parse(asOf) })).zeroDte.share;
  };

  it('is New York’s date for Cboe: at 21:30 New York the next day’s options are not 0DTE, though UTC has moved on', () => {
    // 2024-01-03 02:30 UTC is 2024-01-02 21:30 in New York; the options expire 2024-01-03 16:00 New York.
    expect(zeroDte('cboe', '2024-01-03T02:30:00Z', '2024-01-03T21:00:00Z')).toBe(0);
    expect(zeroDte('cboe', '2024-01-03T14:30:00Z', '2024-01-03T21:00:00Z')).toBeGreaterThan(0.5);
  });

  it('is the UTC date for Deribit: at 02:00 UTC the 08:00 UTC expiry is 0DTE, though New York is a day behind', () => {
    // 2024-01-03 02:00 UTC is 2024-01-02 21:00 in New York.
    expect(zeroDte('deribit', '2024-01-03T02:00:00Z', '2024-01-03T08:00:00Z')).toBeGreaterThan(0.5);
    expect(zeroDte('deribit', '2024-01-02T22:00:00Z', '2024-01-03T08:00:00Z')).toBe(0);
  });
});
