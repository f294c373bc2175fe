import { analyse, DEFAULT_ANALYSIS } from '../../lambda/gamma/analyse';
import { maxPain, walls } from '../../lambda/gamma/levels';
import { AS_OF, chain, contract, DAY_MS, twoSided } from '../helpers';

// Hand-built chains around spot 100, every contract 30 days out at 20%: gamma is largest at the money and
// falls away from it, so a strike holding 50 times the open interest of its neighbours is the heaviest one
// whatever the exact numbers (docs/methodology.md §6).
const call = (strike: number, openInterest = 100) => contract({ type: 'call', strike, openInterest });
const put = (strike: number, openInterest = 100) => contract({ type: 'put', strike, openInterest });
// A side with no contract gets an inert one far out of the money (§3 refuses one-sided chains): no exposure, no level.
const levelsOf = (...contracts: ReturnType<typeof contract>[]) => analyse(chain(twoSided(contracts))).levels;
/** A strike row as the engine aggregates them, for the level functions on their own. */
const row = (strike: number, callGex: number, putGex: number) => ({
  strike,
  callGex,
  putGex,
  netGex: callGex + putGex,
  callOi: 1,
  putOi: 1,
});

describe('the walls', () => {
  it('can both sit on a strike exactly at spot', () => {
    const levels = levelsOf(call(100, 5000), call(105), put(100, 5000), put(95));
    expect(levels).toMatchObject({ callWall: 100, putWall: 100, absGammaStrike: 100 });
  });

  it('are the heaviest strike on their side: the call wall above spot, the put wall below', () => {
    const levels = levelsOf(
      call(95, 5000),
      call(102, 1000),
      call(110),
      put(105, 5000),
      put(98, 1000),
      put(90),
    );
    expect(levels).toMatchObject({ callWall: 102, putWall: 98 });
  });

  it('are absent on a side with no contract of their type', () => {
    // Calls only below spot and puts only above: neither wall has a candidate.
    expect(levelsOf(call(90), call(95), put(105), put(110))).toMatchObject({ callWall: null, putWall: null });
    expect(levelsOf(call(105), call(110))).toMatchObject({ callWall: 105, putWall: null });
    expect(levelsOf(put(90), put(95))).toMatchObject({ callWall: null, putWall: 95 });
  });

  it('pick the put wall by size: the largest |putGex|, not the largest signed value', () => {
    // Under `classic` puts are negative: the signed maximum would be the smallest put, at 90.
    expect(levelsOf(put(90, 10), put(95, 5000), put(98, 100)).putWall).toBe(95);
  });

  it('follow §6 as written under dealer-short, where calls are negative: the largest callGex is the smallest call', () => {
    const contracts = [call(102, 5000), call(110, 10), put(97, 5000), put(90, 10)];
    const record = analyse(chain(contracts), { ...DEFAULT_ANALYSIS, positioning: 'dealer-short' });
    expect(record.totals.callGex).toBeLessThan(0);
    // Call wall: 110 (−small) is "larger" than 102 (−large); the put wall compares |putGex|: 97.
    expect(record.levels).toMatchObject({ callWall: 110, putWall: 97 });
  });

  it('break ties toward the lower strike and look only on their side of spot', () => {
    const rows = [row(90, 0, -5), row(95, 9, -5), row(105, 7, -9), row(110, 7, 0)];
    expect(walls(rows, 100)).toEqual({ callWall: 105, putWall: 90, absGammaStrike: 105 });
    expect(walls([], 100)).toEqual({ callWall: null, putWall: null, absGammaStrike: null });
  });
});

describe('a chain whose exposure is all zero', () => {
  it('has no wall and no absolute gamma strike', () => {
    // Ten points out of the money a minute before expiry, gamma underflows to exactly 0 (|d1| ≈ 150).
    const record = analyse(chain(twoSided([contract({ strike: 110, expiry: AS_OF + 60 * 1000 })])));
    expect(record.totals.netGex).toBe(0);
    expect(record.byStrike.map((r) => [r.strike, r.callGex, r.putGex, r.callOi])).toEqual([
      [100 * 1e-9, 0, 0, 0],
      [110, 0, 0, 1000],
    ]);
    expect(record.levels).toMatchObject({ callWall: null, putWall: null, absGammaStrike: null });
  });
});

describe('the absolute gamma strike', () => {
  it('counts a strike with only calls, or only puts', () => {
    expect(levelsOf(call(100, 5000), call(95), put(95)).absGammaStrike).toBe(100);
    expect(levelsOf(put(100, 5000), call(105), put(105)).absGammaStrike).toBe(100);
  });

  it('adds the sizes of both sides: 60 + 50 at one strike outweighs 100 at another', () => {
    expect(walls([row(95, 100, 0), row(100, 60, -50)], 100).absGammaStrike).toBe(100);
  });
});

describe('max pain', () => {
  it('is the listed strike where option holders are paid least', () => {
    // Calls: 100 OI at 100; puts: 300 OI at 110. Pay-out at X=100: 300·10 = 3000; at X=110: 100·10 = 1000.
    expect(maxPain([call(100, 100), put(110, 300)])).toBe(110);
    expect(maxPain([])).toBeNull();
  });

  it('pays a call max(X − K, 0): nothing on a call above X', () => {
    // Call 10 OI at 110, puts 5 OI at 110 and 1 at 100. At X=100: calls 0, puts 5·10 = 50. At X=110: 0 and 0.
    expect(maxPain([call(110, 10), put(110, 5), put(100, 1)])).toBe(110);
    // Puts only: at X=100 the put at 110 pays 10 per contract, at 110 nothing is paid.
    expect(maxPain([put(110, 1), put(100, 1)])).toBe(110);
    // Calls only: at X=110 the call at 100 pays 10, at 100 nothing.
    expect(maxPain([call(110, 1), call(100, 1)])).toBe(100);
  });

  it('breaks a tie toward the lower strike, whatever the order of the contracts', () => {
    // Pay-out 100·10 = 1000 at both strikes.
    expect(maxPain([call(100, 100), put(110, 100)])).toBe(100);
    expect(maxPain([put(110, 100), call(100, 100)])).toBe(100);
    // Listed high to low: pay-out 20 at X=100 (the put at 120), 20 at 110 (10 + 10), 30 at 120.
    expect(maxPain([put(120, 1), call(110, 1), call(100, 1)])).toBe(100);
  });

  it('takes the nearest expiry date only', () => {
    const near = AS_OF + 3 * DAY_MS;
    const record = analyse(
      chain([
        contract({ type: 'call', strike: 100, openInterest: 100, expiry: near }),
        contract({ type: 'put', strike: 110, openInterest: 300, expiry: near }),
        contract({ type: 'call', strike: 95, openInterest: 1e6 }),
      ]),
    );
    expect(record.levels.maxPain).toBe(110);
  });
});
