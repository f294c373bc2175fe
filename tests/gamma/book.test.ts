import { analyse, DEFAULT_ANALYSIS } from '../../lambda/gamma/analyse';
import { combineBook, MAX_APART_MS, referenceChain } from '../../lambda/gamma/book';
import type { OptionChain } from '../../lambda/types';
import { deribitBtc, NO_CARRY, SECOND_VENUE, secondVenueChain } from '../book-fixture';

// The second venue is the real Deribit chain scaled into another venue's shape (tests/book-fixture.ts): no
// whole chain of a second venue is recorded.
const deribit = deribitBtc();
const crypto = { ...DEFAULT_ANALYSIS, ...NO_CARRY };
const MINUTE = 60_000;

describe('combineBook', () => {
  it('gives a book whose exposures are the sums of the venues’ own records', () => {
    const second = secondVenueChain(deribit, { oiScale: 0.37 });
    const { chain, leftOut } = combineBook([deribit, second]);
    expect(leftOut).toEqual([]);
    const book = analyse(chain);
    const alone = [analyse(deribit, crypto), analyse(second, crypto)];
    for (const key of ['netGex', 'callGex', 'putGex', 'netDex', 'netVex', 'netCex'] as const) {
      const sum = alone[0]!.totals[key] + alone[1]!.totals[key];
      expect(book.totals[key] / sum).toBeCloseTo(1, 12);
    }
    expect(book.dataQuality.contractsIn).toBe(
      alone[0]!.dataQuality.contractsIn + alone[1]!.dataQuality.contractsIn,
    );
    expect(book.dataQuality.contractsUsed).toBe(
      alone[0]!.dataQuality.contractsUsed + alone[1]!.dataQuality.contractsUsed,
    );
    // Strike by strike too: the same strike on two venues adds, as two contracts.
    const byStrike = (r: typeof book) => new Map(r.byStrike.map((s) => [s.strike, s]));
    const [a, b] = alone.map(byStrike);
    for (const row of book.byStrike) {
      const sum = (a!.get(row.strike)?.netGex ?? 0) + (b!.get(row.strike)?.netGex ?? 0);
      expect(row.netGex).toBeCloseTo(sum, 6);
      expect(row.callOi).toBeCloseTo(a!.get(row.strike)!.callOi * 1.37, 6);
    }
  });

  it('keeps each contract’s own forward and marks it with its venue', () => {
    const second = secondVenueChain(deribit);
    second.contracts = second.contracts.map((c) => ({ ...c, forward: c.forward * 1.001 }));
    const { chain } = combineBook([second, deribit]);
    expect(chain.contracts).toHaveLength(2 * deribit.contracts.length);
    const fromSecond = chain.contracts.filter((c) => c.venue === SECOND_VENUE);
    expect(fromSecond.map((c) => c.forward)).toEqual(second.contracts.map((c) => c.forward));
    expect(chain.contracts.filter((c) => c.venue === 'deribit').map((c) => c.forward)).toEqual(
      deribit.contracts.map((c) => c.forward),
    );
  });

  it('takes the spot from Deribit where Deribit is in the book, else from the first venue', () => {
    const second = secondVenueChain(deribit);
    expect(second.spot).not.toBe(deribit.spot);
    expect(combineBook([second, deribit]).chain.spot).toBe(deribit.spot);
    expect(combineBook([deribit, second]).chain.spot).toBe(deribit.spot);
    expect(combineBook([second]).chain.spot).toBe(second.spot);
    // Deribit refused on its own (one-sided: every put's open interest gone): the spot is the other venue's.
    const oneSided: OptionChain = {
      ...deribit,
      contracts: deribit.contracts.map((c) => (c.type === 'put' ? { ...c, openInterest: 0 } : c)),
    };
    const warnings: string[] = [];
    const { chain, leftOut } = combineBook([oneSided, second], { warn: (m) => warnings.push(m) });
    expect(chain.spot).toBe(second.spot);
    expect(chain.venue).toBe(SECOND_VENUE);
    expect(leftOut).toEqual([{ venue: 'deribit', reason: expect.stringContaining('no put open interest') }]);
    expect(warnings).toEqual([expect.stringMatching(/^BTC book: Deribit left out: .*one-sided/)]);
  });

  it('leaves out a venue more than 15 minutes from the others, and keeps one exactly 15 minutes apart', () => {
    expect(MAX_APART_MS).toBe(15 * MINUTE);
    const atLimit = secondVenueChain(deribit, { minutesLater: 15 });
    const kept = combineBook([deribit, atLimit]);
    expect(kept.leftOut).toEqual([]);
    expect(kept.chain.book!.venues.map((v) => v.venue)).toEqual(['deribit', SECOND_VENUE]);

    const late = { ...atLimit, asOf: atLimit.asOf + 1 };
    const warnings: string[] = [];
    const { chain, leftOut } = combineBook([late, deribit], { warn: (m) => warnings.push(m) });
    expect(leftOut.map((l) => l.venue)).toEqual([SECOND_VENUE]);
    expect(warnings).toEqual([
      'BTC book: Bybit left out: its snapshot 2026-03-13T19:15:15.543Z is 15 min 0.001 s from the book’s ' +
        '2026-03-13T19:00:15.542Z (Deribit’s), more than 15 min',
    ]);
    // Published from the rest: the book is Deribit's chain alone.
    expect(chain.contracts).toHaveLength(deribit.contracts.length);
    expect(chain.book).toEqual({ venues: [{ venue: 'deribit', asOf: deribit.asOf }], leftOut });
    expect(analyse(chain).totals).toEqual(analyse(deribit).totals);

    // An earlier venue is measured the same way, and the limit is an option.
    const early = secondVenueChain(deribit, { minutesLater: -20 });
    expect(combineBook([deribit, early]).leftOut).toHaveLength(1);
    expect(combineBook([deribit, early], { maxApartMs: 20 * MINUTE }).leftOut).toEqual([]);
  });

  it('measures from the median snapshot, a venue’s own: Deribit’s or the later one of two middle', () => {
    const at = (venue: OptionChain['venue'], minutes: number) =>
      ({ ...deribit, venue, asOf: deribit.asOf + minutes * MINUTE }) as OptionChain;
    expect(referenceChain([at('bybit', 0), at('okx', 30), at('deribit', 10)]).asOf).toBe(
      deribit.asOf + 10 * MINUTE,
    );
    expect(referenceChain([at('okx', 30), at('deribit', 0)]).venue).toBe('deribit');
    expect(referenceChain([at('deribit', 30), at('okx', 0)]).venue).toBe('deribit');
    expect(referenceChain([at('bybit', 0), at('okx', 30)]).asOf).toBe(deribit.asOf + 30 * MINUTE);
    // Deribit 20 minutes behind: it anchors the book, the other venue is left out.
    const ahead = secondVenueChain(deribit, { minutesLater: 20 });
    const { chain } = combineBook([ahead, deribit]);
    expect(chain.asOf).toBe(deribit.asOf);
    expect(chain.book!.leftOut.map((l) => l.venue)).toEqual([SECOND_VENUE]);
  });

  it('of one venue gives that venue’s record', () => {
    const { chain, leftOut } = combineBook([deribit]);
    expect(leftOut).toEqual([]);
    const { byStrike, totals, flip, levels, profile } = analyse(chain);
    const own = analyse(deribit);
    expect({ byStrike, totals, flip, levels, profile }).toEqual({
      byStrike: own.byStrike,
      totals: own.totals,
      flip: own.flip,
      levels: own.levels,
      profile: own.profile,
    });
  });

  it('refuses chains of two underlyings, a venue given twice, no chain, and a book with every venue refused', () => {
    const eth = { ...secondVenueChain(deribit), symbol: 'ETH' };
    expect(() => combineBook([deribit, eth])).toThrow(
      'a book is one underlying: deribit BTC and bybit ETH cannot be combined',
    );
    expect(() => combineBook([deribit, deribit])).toThrow('BTC book: Deribit is given twice');
    expect(() => combineBook([])).toThrow('a book needs at least one venue’s chain');
    const empty = { ...deribit, contracts: [] };
    expect(() => combineBook([empty])).toThrow(
      /^BTC book: every venue is refused \(Deribit: BTC snapshot .*no contract counts/,
    );
  });
});

describe('the record of a book', () => {
  it('breaks the book down by venue: each venue’s counts and sums are its own record’s, shares of gross gamma', () => {
    const second = secondVenueChain(deribit, { oiScale: 0.37, minutesLater: 4 });
    const { chain } = combineBook([deribit, second]);
    const book = analyse(chain);
    const alone = [analyse(deribit, crypto), analyse({ ...second, asOf: deribit.asOf }, crypto)];
    expect(book.venues!.map((v) => [v.venue, v.asOf])).toEqual([
      ['deribit', '2026-03-13T19:00:15.542Z'],
      [SECOND_VENUE, '2026-03-13T19:04:15.542Z'],
    ]);
    const gross = (r: { callGex: number; putGex: number }) => Math.abs(r.callGex) + Math.abs(r.putGex);
    book.venues!.forEach((v, i) => {
      const own = alone[i]!;
      expect(v.contractsIn).toBe(own.dataQuality.contractsIn);
      expect(v.contractsUsed).toBe(own.dataQuality.contractsUsed);
      for (const k of ['netGex', 'callGex', 'putGex'] as const)
        expect(v[k] / own.totals[k]).toBeCloseTo(1, 12);
      expect(v.share).toBeCloseTo(gross(own.totals) / gross(book.totals), 12);
      // Strike by strike, on the book's strikes.
      const ownByStrike = new Map(own.byStrike.map((s) => [s.strike, s.netGex]));
      v.netGexByStrike.forEach((g, j) =>
        expect(g).toBeCloseTo(ownByStrike.get(book.byStrike[j]!.strike)!, 6),
      );
    });
    // The OI scale of 0.37 gives the second venue 0.37 / 1.37 of the gross.
    expect(book.venues![1]!.share).toBeCloseTo(0.37 / 1.37, 12);
    expect(book.venuesLeftOut).toBeUndefined();
  });

  it('names the venues left out, and gives one venue’s chain one entry with the whole book', () => {
    const late = secondVenueChain(deribit, { minutesLater: 16 });
    const record = analyse(combineBook([deribit, late]).chain);
    expect(record.venues!.map((v) => v.venue)).toEqual(['deribit']);
    expect(record.venuesLeftOut).toEqual([
      { venue: SECOND_VENUE, reason: expect.stringMatching(/^its snapshot .* is 16 min from the book’s/) },
    ]);
    const alone = analyse(deribit);
    expect(alone.venues).toEqual([
      {
        venue: 'deribit',
        asOf: alone.asOf,
        contractsIn: alone.dataQuality.contractsIn,
        contractsUsed: alone.dataQuality.contractsUsed,
        netGex: alone.totals.netGex,
        callGex: alone.totals.callGex,
        putGex: alone.totals.putGex,
        share: 1,
        netGexByStrike: alone.byStrike.map((s) => s.netGex),
      },
    ]);
    expect(record.venues).toEqual(alone.venues);
  });
});
