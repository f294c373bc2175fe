import {
  mannWhitney,
  MODEL_INSIDE,
  pairsOf,
  regimeEvidence,
  spearman,
  wilson95,
  type EvidencePoint,
} from '../../lambda/gamma/evidence';
import { GROUPS } from '../../lambda/venues';

/**
 * The regime evidence (docs/methodology.md §16) against cases worked by hand and against
 * scipy 1.17 (`mannwhitneyu(a, b, method='asymptotic', use_continuity=False)`, `spearmanr`) and the Wilson
 * interval by its formula in Python, written here as literals.
 */

const HOUR = 3600 * 1000;
const T0 = Date.UTC(2026, 0, 5, 21);
const CRYPTO = { minGapHours: 20, maxGapHours: 28 };

/** A record `hours` after T0; the fields the evidence does not test here are neutral. */
function point(hours: number, spot: number, over: Partial<EvidencePoint> = {}): EvidencePoint {
  return {
    asOf: new Date(T0 + hours * HOUR).toISOString(),
    spot,
    netGex: 1,
    tilt: 0.1,
    atmIv: null,
    callWall: null,
    putWall: null,
    ...over,
  };
}

describe('the pairs (a record’s partner is the first record at least minGap later, kept within maxGap)', () => {
  it('takes the first record past minGap, not a later one, and drops a partner beyond maxGap', () => {
    // 0 → 21 (the first ≥ 20 h; 27 is not looked at); 21 → 45; 27 → 50 (23 h); 45 → 80 is 35 h: dropped;
    // 50 → 80 is 30 h: dropped; 80 → 104.
    const hours = [0, 21, 27, 45, 50, 80, 104];
    const e = regimeEvidence(
      'BTC',
      hours.map((h, i) => point(h, 100 + i)),
      CRYPTO,
    );
    expect(e.pairs).toBe(4);
    expect(e.byRegime.positive.n).toBe(4);
    // The four moves: ln(101/100) over 21 h, ln(103/101) over 24 h, ln(104/102) over 23 h, ln(106/105) over 24 h.
    const moves = [
      [Math.log(101 / 100), 21],
      [Math.log(103 / 101), 24],
      [Math.log(104 / 102), 23],
      [Math.log(106 / 105), 24],
    ] as const;
    const vol = Math.sqrt(moves.reduce((s, [r, h]) => s + (r * r) / (h / 8760), 0) / 4);
    expect(e.byRegime.positive.annualisedVol).toBeCloseTo(vol, 12);
    expect(e.from).toBe(new Date(T0).toISOString());
    expect(e.to).toBe(new Date(T0 + 104 * HOUR).toISOString());
    expect([e.minGapHours, e.maxGapHours]).toEqual([20, 28]);
  });

  it('includes both bounds: a partner exactly minGap later, and one exactly maxGap later', () => {
    // 0 → 20 (exactly minGap); 20 → 48 (exactly maxGap).
    const e = regimeEvidence('BTC', [point(0, 100), point(20, 101), point(48, 102)], CRYPTO);
    expect(e.pairs).toBe(2);
  });

  it('measures each move as |r| / √dt, dt in years of 365 days', () => {
    const pairs = pairsOf([point(0, 100), point(21, 103), point(45, 99)], CRYPTO);
    expect(pairs.map((p) => [p.dt, p.r, p.x])).toEqual([
      [21 / 8760, Math.log(103 / 100), Math.log(103 / 100) / Math.sqrt(21 / 8760)],
      [24 / 8760, Math.log(99 / 103), -Math.log(99 / 103) / Math.sqrt(24 / 8760)],
    ]);
  });

  it('keeps the last written of two records with one asOf, whatever the text of the instant', () => {
    const first = point(24, 90);
    const last = { ...point(24, 110), asOf: first.asOf.replace('.000Z', 'Z') };
    const e = regimeEvidence('BTC', [point(0, 100), first, last], CRYPTO);
    expect(e.pairs).toBe(1);
    expect(e.byRegime.positive.meanAbsReturn).toBeCloseTo(Math.log(110 / 100), 14);
    // Written the other way round, the other one counts.
    const swapped = regimeEvidence('BTC', [point(0, 100), last, first], CRYPTO);
    expect(swapped.byRegime.positive.meanAbsReturn).toBeCloseTo(Math.log(100 / 90), 14);
  });

  it('sorts the records by asOf, whatever order they come in', () => {
    const points = [point(48, 99), point(0, 100), point(24, 101)];
    expect(regimeEvidence('BTC', points, CRYPTO)).toEqual(
      regimeEvidence(
        'BTC',
        [...points].sort((a, b) => a.asOf.localeCompare(b.asOf)),
        CRYPTO,
      ),
    );
    expect(regimeEvidence('BTC', points, CRYPTO).pairs).toBe(2);
  });

  it('spans a weekend under the equity gaps (Friday 16:00 to Monday 16:00 is 72 h), not a week', () => {
    expect(GROUPS.equity.evidence).toEqual({ minGapHours: 16, maxGapHours: 100 });
    expect(GROUPS.crypto.evidence).toEqual({ minGapHours: 20, maxGapHours: 28 });
    const e = regimeEvidence(
      'SPX',
      [point(0, 100), point(72, 101), point(72 + 120, 102), point(72 + 135, 103)],
      GROUPS.equity.evidence,
    );
    // 0 → 72 kept; 72 → 192 is 120 h: dropped; 192 → 207 is 15 h, under 16: no partner.
    expect(e.pairs).toBe(1);
    expect(e.byRegime.positive.rmsReturn).toBeCloseTo(Math.log(101 / 100), 14);
  });

  it('gives an empty history no pairs and nulls, never NaN', () => {
    const e = regimeEvidence('BTC', [], CRYPTO);
    expect(e).toEqual({
      symbol: 'BTC',
      from: null,
      to: null,
      pairs: 0,
      minGapHours: 20,
      maxGapHours: 28,
      byRegime: {
        positive: { n: 0, meanAbsReturn: null, rmsReturn: null, annualisedVol: null },
        negative: { n: 0, meanAbsReturn: null, rmsReturn: null, annualisedVol: null },
      },
      volRatio: null,
      mannWhitney: null,
      spearman: null,
      expectedMove: { n: 0, inside: 0, rate: null, wilson95: null },
      callWall: { n: 0, held: 0, rate: null, wilson95: null },
      putWall: { n: 0, held: 0, rate: null, wilson95: null },
    });
  });
});

describe('a small history worked by hand', () => {
  // Five daily records, 24 h apart (dt = 1/365): A → B, B → C, C → D, D → E.
  const points = [
    point(0, 100, { netGex: 5, tilt: 0.5, atmIv: 0.5, callWall: 105, putWall: 95 }),
    point(24, 101, { netGex: -2, tilt: -0.2, atmIv: null, callWall: 100, putWall: 100 }),
    point(48, 99, { netGex: 3, tilt: 0.3, atmIv: 0.4, callWall: 100, putWall: 90 }),
    point(72, 99, { netGex: 0, tilt: 0, atmIv: 0.4, callWall: null, putWall: null }),
    point(96, 110, { netGex: -1, tilt: -0.4, atmIv: 0.3, callWall: 120, putWall: 100 }),
  ];
  const e = regimeEvidence('BTC', points, CRYPTO);

  it('puts A → B and C → D in positive gamma, B → C in negative, and D → E (net GEX exactly 0) in neither', () => {
    expect(e.pairs).toBe(4);
    expect([e.byRegime.positive.n, e.byRegime.negative.n]).toEqual([2, 1]);
    // Positive: ln(101/100) = 0.00995033085316809 and ln(99/99) = 0; negative: ln(99/101).
    expect(e.byRegime.positive.meanAbsReturn).toBeCloseTo(0.004975165426584046, 15);
    expect(e.byRegime.positive.rmsReturn).toBeCloseTo(0.0070359464213248825, 15);
    expect(e.byRegime.positive.annualisedVol).toBeCloseTo(0.1344215676369323, 14);
    expect(e.byRegime.negative.meanAbsReturn).toBeCloseTo(0.020000666706669543, 15);
    expect(e.byRegime.negative.annualisedVol).toBeCloseTo(0.3821122009038929, 14);
  });

  it('gives no ratio with a group below 2 pairs, and no rank test or correlation below 5', () => {
    expect(e.volRatio).toBeNull();
    expect(e.mannWhitney).toBeNull();
    expect(e.spearman).toBeNull();
  });

  it('counts the pairs whose first record has an ATM IV, inside when |Δspot| ≤ spot × atmIv × √dt', () => {
    // A: 100 × 0.5 × √(1/365) = 2.617 ≥ 1, inside; C: 99 × 0.4 × √(1/365) = 2.07 ≥ 0, inside; D: 2.07 < 11.
    expect(e.expectedMove.n).toBe(3);
    expect(e.expectedMove.inside).toBe(2);
    expect(e.expectedMove.rate).toBeCloseTo(2 / 3, 15);
    // Wilson by its formula in Python, z = 1.959964.
    expect(e.expectedMove.wilson95![0]).toBeCloseTo(0.20765959880782425, 14);
    expect(e.expectedMove.wilson95![1]).toBeCloseTo(0.9385080559790691, 14);
  });

  it('counts a call wall above spot (A, C; B’s is below) and a put wall below spot (A, B, C)', () => {
    // A: 101 ≤ 105 held; C: 99 ≤ 100 held.
    expect(e.callWall).toMatchObject({ n: 2, held: 2, rate: 1 });
    // A: 101 ≥ 95 held; B: 99 < 100 broken; C: 99 ≥ 90 held.
    expect(e.putWall).toMatchObject({ n: 3, held: 2 });
    expect(e.putWall.rate).toBeCloseTo(2 / 3, 15);
  });

  it('counts a move of exactly the expected move as inside (≤)', () => {
    // An ATM IV of 0 prices no move at all: a flat pair is exactly on the boundary.
    const flat = regimeEvidence('BTC', [point(0, 100, { atmIv: 0 }), point(24, 100)], CRYPTO);
    expect(flat.expectedMove).toMatchObject({ n: 1, inside: 1, rate: 1 });
  });

  it('holds a wall that spot reaches but does not pass, and breaks one it passes', () => {
    const walls = { callWall: 105, putWall: 95 };
    const e = regimeEvidence(
      'BTC',
      [
        point(0, 100, walls),
        point(24, 105, { callWall: 110, putWall: 104 }),
        point(48, 104, walls),
        point(72, 106, { callWall: 107, putWall: 94 }),
        point(96, 93),
      ],
      CRYPTO,
    );
    // Calls: 100 → 105 = the wall, held; 105 → 104 under 110, held; 104 → 106 past 105, broken; 106 → 93 held.
    expect(e.callWall).toMatchObject({ n: 4, held: 3 });
    // Puts: 100 → 105 held; 105 → 104 = the wall, held; 104 → 106 held; 106 → 93 under 94, broken.
    expect(e.putWall).toMatchObject({ n: 4, held: 3 });
  });

  it('counts a wall at spot in neither (the wall must be strictly beyond spot)', () => {
    const atSpot = regimeEvidence(
      'BTC',
      [point(0, 100, { callWall: 100, putWall: 100 }), point(24, 120)],
      CRYPTO,
    );
    expect([atSpot.callWall.n, atSpot.putWall.n]).toEqual([0, 0]);
  });
});

describe('the volatility ratio', () => {
  it('is negative over positive once each group has 2 pairs', () => {
    const spots = [100, 102, 101, 105, 100];
    const netGex = [1, -1, 1, -1, 1];
    const e = regimeEvidence(
      'BTC',
      spots.map((s, i) => point(24 * i, s, { netGex: netGex[i] })),
      CRYPTO,
    );
    const r = spots.slice(1).map((s, i) => Math.log(s / spots[i]!));
    // Positive: pairs 0, 2; negative: 1, 3. Every dt is 1/365, so the ratio is that of the RMS moves.
    const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
    expect([e.byRegime.positive.n, e.byRegime.negative.n]).toEqual([2, 2]);
    expect(e.volRatio).toBeCloseTo(rms([r[1]!, r[3]!]) / rms([r[0]!, r[2]!]), 13);
  });

  it('is null with a single positive pair, however many negative ones', () => {
    const e = regimeEvidence(
      'BTC',
      [100, 102, 101, 105, 100].map((s, i) => point(24 * i, s, { netGex: i === 0 ? 1 : -1 })),
      CRYPTO,
    );
    expect([e.byRegime.positive.n, e.byRegime.negative.n]).toEqual([1, 3]);
    expect(e.volRatio).toBeNull();
  });

  it('is null when the positive group never moved (no scale to compare with)', () => {
    const e = regimeEvidence(
      'BTC',
      [100, 100, 102, 102, 104].map((s, i) => point(24 * i, s, { netGex: i % 2 === 0 ? 1 : -1 })),
      CRYPTO,
    );
    expect(e.byRegime.positive.annualisedVol).toBe(0);
    expect(e.volRatio).toBeNull();
  });
});

describe('Mann–Whitney U against scipy (asymptotic, no continuity correction, two-sided)', () => {
  const a = [0.9, 0.35, 1.2, 0.35, 0.6, 2.1, 0.8, 0.35];
  const b = [0.2, 0.35, 0.5, 0.1, 0.6, 0.45, 0.3, 0.25, 0.15, 0.7, 0.35];

  it('with ties: U 71.5, p 0.021908764202160536', () => {
    const mw = mannWhitney(a, b)!;
    expect(mw.u).toBe(71.5);
    expect(mw.p).toBeCloseTo(0.021908764202160536, 12);
    // scipy's z, from its p: norm.isf(p / 2), signed by U − n₁n₂/2.
    expect(mw.z).toBeCloseTo(2.2919459168555627, 10);
  });

  it('is U = Σ [a > b] + ½[a = b], counted directly', () => {
    let u = 0;
    for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
    expect(mannWhitney(a, b)!.u).toBe(u);
    // The other way round: n₁n₂ − U, z of the opposite sign, the same p.
    const back = mannWhitney(b, a)!;
    expect(back.u).toBe(a.length * b.length - u);
    expect(back.z).toBeCloseTo(-2.2919459168555627, 10);
    expect(back.p).toBeCloseTo(0.021908764202160536, 12);
  });

  it('is null below 5 in a group, and when every value ties (scipy gives NaN)', () => {
    expect(mannWhitney(a.slice(0, 4), b)).toBeNull();
    expect(mannWhitney(a, b.slice(0, 4))).toBeNull();
    expect(mannWhitney(a.slice(0, 5), b.slice(0, 5))).not.toBeNull();
    expect(mannWhitney([1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1])).toBeNull();
  });

  it('is the test of the moves |r| / √dt, negative group against positive, in the document', () => {
    // One separate pair per value, each from spot 100 over one day (the next pair starts 100 h later, too far
    // to chain): |r| / √dt = x / 100 × √365 for every pair, a common factor that leaves U and p unchanged.
    const points = [...a.map((x) => [x, -1]), ...b.map((x) => [x, 1])].flatMap(([x, netGex], i) => [
      point(100 * i, 100, { netGex }),
      point(100 * i + 24, 100 * Math.exp(x! / 100)),
    ]);
    const e = regimeEvidence('BTC', points, CRYPTO);
    expect([e.pairs, e.byRegime.negative.n, e.byRegime.positive.n]).toEqual([19, 8, 11]);
    expect(e.mannWhitney!.u).toBe(71.5);
    expect(e.mannWhitney!.p).toBeCloseTo(0.021908764202160536, 12);
  });
});

describe('Spearman ρ against scipy (average ranks for ties)', () => {
  const x = [0.1, -0.2, 0.1, 0.3, -0.5, 0.0, 0.3, 0.2];
  const y = [1.0, 2.0, 0.5, 0.5, 3.0, 1.0, 0.2, 0.5];

  it('with ties in both: ρ −0.9256265453136692', () => {
    expect(spearman(x, y)).toEqual({ rho: expect.closeTo(-0.9256265453136692, 13), n: 8 });
  });

  it('is null below 5 pairs and when one side does not vary', () => {
    expect(spearman(x.slice(0, 4), y.slice(0, 4))).toBeNull();
    expect(spearman(x.slice(0, 5), y.slice(0, 5))).not.toBeNull();
    expect(spearman([0.2, 0.2, 0.2, 0.2, 0.2], [1, 2, 3, 4, 5])).toBeNull();
    expect(spearman([1, 2, 3, 4, 5], [0.2, 0.2, 0.2, 0.2, 0.2])).toBeNull();
  });

  it('correlates the first record’s tilt with the move, over the pairs with a tilt', () => {
    const spots = [100];
    y.forEach((m, i) => spots.push(spots[i]! * Math.exp(m / 100)));
    const points = spots.map((s, i) => point(24 * i, s, { tilt: x[i] ?? null }));
    // One more pair whose first record has no tilt: left out of ρ, counted in the pairs.
    points.push(point(24 * spots.length, 120, { tilt: null }));
    points.splice(points.length - 2, 1, { ...points[points.length - 2]!, tilt: null });
    const e = regimeEvidence('BTC', points, CRYPTO);
    expect(e.pairs).toBe(9);
    expect(e.spearman).toEqual({ rho: expect.closeTo(-0.9256265453136692, 12), n: 8 });
  });
});

describe('the Wilson 95% interval (z = 1.959964), against its formula in Python', () => {
  it.each([
    [2, 3, 0.20765959880782425, 0.9385080559790691],
    [0, 5, 0, 0.4344824686593928],
    [5, 5, 0.5655175313406071, 1],
    [25, 39, 0.484181484370488, 0.7725791462718651],
    [37, 39, 0.8311435982403941, 0.9858220447125474],
  ])('%d of %d: [%f, %f]', (hits, n, lo, hi) => {
    const [a, b] = wilson95(hits, n)!;
    expect(a).toBeCloseTo(lo, 13);
    expect(b).toBeCloseTo(hi, 13);
  });

  it('is null without pairs; the model line is 2Φ(1) − 1 = 0.6826894921370859', () => {
    expect(wilson95(0, 0)).toBeNull();
    expect(MODEL_INSIDE).toBeCloseTo(0.6826894921370859, 13);
  });
});
