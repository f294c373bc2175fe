import fc from 'fast-check';
import { analyse } from '../../lambda/gamma/analyse';
import { assertFinite } from '../../lambda/publish';
import { InputError } from '../../lambda/errors';
import type { OptionContract } from '../../lambda/types';
import { AS_OF, chain, DAY_MS } from '../helpers';

/** Sane contracts around spot 100: strikes 70–130, 1–120 days, iv 5–150%, open interest 1–10,000. */
const saneContract = fc.record({
  underlying: fc.constant('TEST'),
  root: fc.constantFrom('TEST', 'TESTW'),
  type: fc.constantFrom('call' as const, 'put' as const),
  strike: fc.integer({ min: 70, max: 130 }),
  expiry: fc.integer({ min: 1, max: 120 }).map((d) => AS_OF + d * DAY_MS),
  openInterest: fc.integer({ min: 1, max: 10000 }),
  iv: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
  multiplier: fc.constant(100),
  forward: fc.constant(100),
}) as fc.Arbitrary<OptionContract>;

const saneChain = fc.array(saneContract, { minLength: 1, maxLength: 40 });

const close = (a: number, b: number, rel = 1e-9) =>
  Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

describe('properties of the engine', () => {
  it('scales every exposure linearly with open interest', () => {
    fc.assert(
      fc.property(saneChain, fc.integer({ min: 2, max: 50 }), (contracts, k) => {
        const base = analyse(chain(contracts));
        const scaled = analyse(chain(contracts.map((c) => ({ ...c, openInterest: c.openInterest * k }))));
        expect(close(scaled.totals.netGex, k * base.totals.netGex)).toBe(true);
        expect(close(scaled.totals.callGex, k * base.totals.callGex)).toBe(true);
        scaled.profile.all.forEach((v, i) =>
          expect(close(v, k * (base.profile.all[i] as number))).toBe(true),
        );
        scaled.byStrike.forEach((r, i) => expect(close(r.netGex, k * base.byStrike[i]!.netGex)).toBe(true));
      }),
      { numRuns: 60 },
    );
  });

  it('finds the same flip when the whole chain is duplicated', () => {
    fc.assert(
      fc.property(saneChain, (contracts) => {
        const once = analyse(chain(contracts));
        const twice = analyse(chain([...contracts, ...contracts]));
        expect(twice.flip.status).toBe(once.flip.status);
        expect(twice.flip.crossings.length).toBe(once.flip.crossings.length);
        twice.flip.crossings.forEach((x, i) =>
          expect(Math.abs(x - once.flip.crossings[i]!)).toBeLessThanOrEqual(2e-6 * 100),
        );
        expect(twice.levels).toEqual(once.levels);
      }),
      { numRuns: 60 },
    );
  });

  it('mirrors every sign when calls and puts are swapped', () => {
    fc.assert(
      fc.property(saneChain, (contracts) => {
        const mirrored = contracts.map((c) => ({
          ...c,
          type: c.type === 'call' ? ('put' as const) : ('call' as const),
        }));
        const a = analyse(chain(contracts));
        const b = analyse(chain(mirrored));
        expect(close(b.totals.netGex, -a.totals.netGex)).toBe(true);
        expect(close(b.totals.callGex, -a.totals.putGex)).toBe(true);
        b.profile.all.forEach((v, i) => expect(close(v, -(a.profile.all[i] as number))).toBe(true));
        if (a.totals.netGex !== 0) expect(b.regime).not.toBe(a.regime);
      }),
      { numRuns: 60 },
    );
  });

  it('never lets a NaN or infinity reach the record, whatever the input numbers', () => {
    // Any number a text cell can hold in a real file: ordinary values, zero, negatives, NaN, ±Infinity, denormals.
    const anyNumber = fc.oneof(
      fc.double({ min: -1e7, max: 1e7 }),
      fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, -1, 5e-324, 1e-300),
    );
    const wildContract = fc.record({
      underlying: fc.constant('TEST'),
      root: fc.constant('TEST'),
      type: fc.constantFrom('call' as const, 'put' as const),
      strike: fc.oneof(fc.integer({ min: 1, max: 300 }), anyNumber),
      // Parsers only ever produce real dates; the minutes make some expiries fall inside the 5-minute floor.
      expiry: fc.integer({ min: -5 * 1440, max: 800 * 1440 }).map((m) => AS_OF + m * 60 * 1000),
      openInterest: fc.oneof(fc.integer({ min: 0, max: 1e6 }), anyNumber),
      // Volatilities as files write them (Cboe 4 decimals, Deribit mark_iv 2): down to 1e-8, or unreadable.
      iv: fc.oneof(
        fc.integer({ min: -100, max: 6e8 }).map((k) => k / 1e8),
        fc.constantFrom(NaN, Infinity, -Infinity),
      ),
      multiplier: fc.constant(100),
      forward: fc.oneof(fc.double({ min: 50, max: 200, noNaN: true }), anyNumber),
    }) as fc.Arbitrary<OptionContract>;
    fc.assert(
      fc.property(fc.array(wildContract, { minLength: 1, maxLength: 30 }), (contracts) => {
        let record;
        try {
          record = analyse(chain(contracts));
        } catch (e) {
          // A chain where nothing counts, or open interest is nearly absent, is refused as bad input.
          expect(e).toBeInstanceOf(InputError);
          return;
        }
        expect(() => assertFinite(record)).not.toThrow();
        expect(record.dataQuality.contractsIn).toBe(contracts.length);
        const skipped = Object.values(record.dataQuality.skipped).reduce((a, b) => a + b, 0);
        expect(record.dataQuality.contractsUsed + skipped).toBe(contracts.length);
      }),
      { numRuns: 300 },
    );
  });
});
