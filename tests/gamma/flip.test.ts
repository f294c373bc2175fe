import { analyse } from '../../lambda/gamma/analyse';
import { bisect, nearestTo, zeroCrossings } from '../../lambda/gamma/profile';
import type { OptionContract } from '../../lambda/types';
import { chain, closedFormGex, contract, DAY_MS, twoSided } from '../helpers';

const T30 = (30 * DAY_MS) / (365 * 86400 * 1000);
/** docs/methodology.md §5: each crossing to within 1e-6 × spot (spot is 100 in the hand-built chains). */
const TOLERANCE = 1e-6 * 100;

/** Net exposure of hand-built contracts (all 30 days out, valued on spot) with the underlying at `level`. */
const netAt = (contracts: OptionContract[], level: number) =>
  contracts.reduce((sum, c) => sum + closedFormGex(c, level, T30), 0);

/** A crossing is right when the closed-form curve changes sign within the tolerance around it. */
function expectRoot(contracts: OptionContract[], x: number) {
  expect(Math.sign(netAt(contracts, x - TOLERANCE))).toBe(-Math.sign(netAt(contracts, x + TOLERANCE)));
}

describe('the gamma flip', () => {
  // Dollar gamma Γ·L² = φ(d1)·L/(σ√T); a call and a put of equal size at 110 and 90 cancel where
  // d1(L, 110) = −d1(L, 90), that is L = √(110·90)·e^{−σ²T/2}.
  const sigma = 0.3;
  const root = Math.sqrt(110 * 90) * Math.exp((-sigma * sigma * T30) / 2);

  it('finds the closed-form root of a rising curve: a call at 110 against a put at 90', () => {
    const record = analyse(
      chain([
        contract({ type: 'call', strike: 110, iv: sigma }),
        contract({ type: 'put', strike: 90, iv: sigma }),
      ]),
    );
    expect(record.profile.all[0]).toBeLessThan(0);
    expect(record.flip.status).toBe('found');
    expect(record.flip.crossings).toHaveLength(1);
    expect(Math.abs(record.flip.level! - root)).toBeLessThanOrEqual(TOLERANCE);
    expect(record.flip.distancePct).toBeCloseTo(((100 - record.flip.level!) / 100) * 100, 12);
  });

  it('refines a falling crossing as finely, not to the 0.2-point sample grid: a put at 110 against a call at 90', () => {
    const record = analyse(
      chain([
        contract({ type: 'put', strike: 110, iv: sigma }),
        contract({ type: 'call', strike: 90, iv: sigma }),
      ]),
    );
    expect(record.profile.all[0]).toBeGreaterThan(0);
    expect(record.flip.crossings).toHaveLength(1);
    expect(Math.abs(record.flip.level! - root)).toBeLessThanOrEqual(TOLERANCE);
  });

  // Puts below and above spot, calls at the money: negative, positive, negative again.
  it.each([
    ['the lower one', [87, 101, 117], 0],
    ['the upper one', [85, 101, 115], 1],
  ])('is the crossing nearest spot, here %s of two', (_, [low, mid, high], nearest) => {
    const contracts = [
      contract({ type: 'put', strike: low, openInterest: 3000 }),
      contract({ type: 'call', strike: mid, openInterest: 1000 }),
      contract({ type: 'put', strike: high, openInterest: 3000 }),
    ];
    const { flip } = analyse(chain(contracts));
    expect(flip.crossings).toHaveLength(2);
    flip.crossings.forEach((x) => expectRoot(contracts, x));
    const [a, b] = flip.crossings as [number, number];
    expect(a).toBeLessThan(b);
    // Solved independently (numpy/brentq): 95.90 and 105.87 for the first chain, 94.49 and 104.63 for the second.
    expect(Math.abs(flip.crossings[nearest]! - 100)).toBeLessThan(
      Math.abs(flip.crossings[1 - nearest]! - 100),
    );
    expect(flip.level).toBe(flip.crossings[nearest]);
  });

  it('reports none in range, never an invented level, when the profile has no root', () => {
    const record = analyse(chain(twoSided([contract({ strike: 95 }), contract({ strike: 105 })])));
    expect(record.flip).toEqual({ level: null, crossings: [], status: 'none-in-range', distancePct: null });
  });
});

describe('zero crossings of a sampled curve', () => {
  const levels = [0, 1, 2, 3, 4, 5];
  const sample = (f: (x: number) => number) => levels.map(f);

  it('refines rising and falling sign changes alike to the tolerance', () => {
    const rising = (x: number) => x - 2.3;
    const falling = (x: number) => 2.3 - x;
    for (const f of [rising, falling]) {
      const [x, ...rest] = zeroCrossings(f, levels, sample(f), 1e-9);
      expect(rest).toEqual([]);
      expect(Math.abs(x! - 2.3)).toBeLessThanOrEqual(1e-9);
    }
  });

  it('takes a sample that is exactly zero as the crossing, once', () => {
    const f = (x: number) => x - 2;
    expect(zeroCrossings(f, levels, sample(f), 1e-9)).toEqual([2]);
    const g = (x: number) => 2 - x;
    expect(zeroCrossings(g, levels, sample(g), 1e-9)).toEqual([2]);
    // A curve that touches zero and turns back.
    const h = (x: number) => (x - 2) ** 2;
    expect(zeroCrossings(h, levels, sample(h), 1e-9)).toEqual([2]);
  });

  it('finds every crossing, in order', () => {
    const f = (x: number) => (x - 0.5) * (x - 2.5) * (x - 4.5);
    const crossings = zeroCrossings(f, levels, sample(f), 1e-9);
    expect(crossings).toHaveLength(3);
    crossings.forEach((x, i) => expect(Math.abs(x - [0.5, 2.5, 4.5][i]!)).toBeLessThanOrEqual(1e-9));
  });

  it('stops bisecting when no double lies between the ends, even under a zero tolerance', () => {
    const root = bisect((x) => x - 5e-324, 0, 1e-323, 0);
    expect(root).toBeGreaterThanOrEqual(0);
    expect(root).toBeLessThanOrEqual(1e-323);
    // No double squares to exactly 2: the bracket closes on √2's two neighbours, and the answer is one of them.
    expect(Math.abs(bisect((x) => x * x - 2, 1, 2, 0) - Math.SQRT2)).toBeLessThanOrEqual(Number.EPSILON * 2);
    // Between neighbouring doubles the midpoint rounds to one end or the other (1 + 2^-52 has an odd last bit):
    // either way the search ends.
    for (const lo of [1, 1 + 2 ** -52]) {
      const hi = lo + 2 ** -52;
      expect([lo, hi]).toContain(bisect((x) => (x <= lo ? -1 : 1), lo, hi, 0));
    }
  });

  it('halves the bracket until it is within the tolerance, and no further: one evaluation per halving', () => {
    let calls = 0;
    const f = (x: number) => {
      calls += 1;
      return x - 0.3;
    };
    // [0, 1] to 2^-10 wide: ten halvings, after f at the lower end.
    const x = bisect(f, 0, 1, 2 ** -10);
    expect(calls).toBe(11);
    expect(Math.abs(x - 0.3)).toBeLessThanOrEqual(2 ** -11);
  });

  it('returns a midpoint that is exactly a root', () => {
    expect(bisect((x) => x - 0.5, 0, 1, 0.1)).toBe(0.5);
  });
});

describe('the nearest crossing', () => {
  it('is the one closest to spot, whether first, last or neither', () => {
    expect(nearestTo(100, [97, 120])).toBe(97);
    expect(nearestTo(100, [80, 104])).toBe(104);
    expect(nearestTo(100, [80, 99, 130])).toBe(99);
    expect(nearestTo(100, [])).toBeNull();
    // A lone crossing is the flip however far it lies.
    expect(nearestTo(100, [250])).toBe(250);
  });

  it('is the lower one on an exact tie', () => {
    expect(nearestTo(100, [98, 102])).toBe(98);
  });
});
