import Ajv2020 from 'ajv/dist/2020';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyse, DEFAULT_ANALYSIS } from '../lambda/gamma/analyse';
import { regimeEvidence } from '../lambda/gamma/evidence';
import { evidenceJsonSchema, recordJsonSchema } from '../lambda/record-schema';
import { combineBook } from '../lambda/gamma/book';
import { deribitBtc, secondVenueChain } from './book-fixture';
import { loadFixture, ROOT } from './helpers';
import { shapeProblems } from './record-shape';

/**
 * The published JSON Schema (docs/record.schema.json) is what readers of latest.json code against: it must be
 * the one generated from the code's definition, and every record the product writes must satisfy it.
 */
const published = readFileSync(join(ROOT, 'docs', 'record.schema.json'), 'utf8');
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(published));

/** Every recorded chain, with the snapshot instant the two that carry none readable are known to have. */
const AS_OF: Record<string, number> = {
  'cboe_SPX_2022-03-23_intraday.csv': Date.parse('2022-03-23T14:11:00Z'),
  'cboe_SPY_2022-04-01_dataobject.json': Date.parse('2022-04-01T20:00:00Z'),
};
const CHAINS = [join(ROOT, 'samples'), join(ROOT, 'tests', 'fixtures', 'chains')].flatMap((dir) =>
  readdirSync(dir).filter((f) => /\.(csv|json)$/.test(f)),
);

/** Every number in a value with its path, for the finiteness check JSON Schema cannot express. */
function numbersIn(value: unknown, path = 'record'): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbersIn(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => numbersIn(v, `${path}.${k}`));
  return [];
}

describe('the published record schema', () => {
  it('is the one generated from lambda/record-schema.ts (run `npm run record-schema` after changing it)', () => {
    expect(published).toBe(recordJsonSchema());
  });

  it('covers all 20 recorded chains', () => {
    expect(CHAINS).toHaveLength(20);
  });

  it.each(CHAINS)('accepts the record of %s, whose numbers are all finite', (name) => {
    const record = JSON.parse(JSON.stringify(analyse(loadFixture(name, { asOf: AS_OF[name] }))));
    const ok = validate(record);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(numbersIn(record).filter(([, n]) => !Number.isFinite(n))).toEqual([]);
    expect(record.schemaVersion).toBe(2);
  });

  it('accepts the record of a book of two venues, and of one with a venue left out, in §17’s shape', () => {
    const deribit = deribitBtc();
    for (const minutesLater of [5, 20]) {
      const { chain } = combineBook([deribit, secondVenueChain(deribit, { minutesLater })]);
      const record = JSON.parse(JSON.stringify(analyse(chain)));
      expect(record.venues).toHaveLength(minutesLater > 15 ? 1 : 2);
      expect(validate(record)).toBe(true);
      expect(shapeProblems(record)).toEqual([]);
    }
  });

  it('refuses a schema-1 record, a missing exposure and a wrong type, naming the field', () => {
    const record = JSON.parse(
      JSON.stringify(analyse(loadFixture('deribit_BTC_2026-03-13.json'), DEFAULT_ANALYSIS)),
    );
    expect(validate({ ...record, schemaVersion: 1 })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/schemaVersion');
    const totals = { ...record.totals };
    delete totals.netVex;
    expect(validate({ ...record, totals })).toBe(false);
    expect(validate.errors?.[0]?.params).toEqual({ missingProperty: 'netVex' });
    expect(validate({ ...record, zeroDte: { ...record.zeroDte, share: '12%' } })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/zeroDte/share');
  });
});

describe('the published evidence schema', () => {
  const text = readFileSync(join(ROOT, 'docs', 'evidence.schema.json'), 'utf8');
  const check = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(text));
  const gaps = { minGapHours: 20, maxGapHours: 28 };
  /** Twelve daily reports alternating in regime: every statistic has a value. */
  const points = [100, 103, 101, 104, 99, 102, 97, 101, 100, 98, 99, 103].map((spot, i) => ({
    asOf: new Date(Date.UTC(2026, 0, 1 + i, 21)).toISOString(),
    spot,
    netGex: i % 2 === 0 ? 1 : -1,
    tilt: i % 2 === 0 ? 0.1 * i : -0.05 * i,
    atmIv: 0.5,
    callWall: spot + 2,
    putWall: spot - 2,
  }));

  it('is the one generated from lambda/record-schema.ts (run `npm run record-schema` after changing it)', () => {
    expect(text).toBe(evidenceJsonSchema());
  });

  it('accepts evidence with every figure and evidence of an empty history (all nulls)', () => {
    const full = JSON.parse(JSON.stringify(regimeEvidence('BTC', points, gaps)));
    const empty = JSON.parse(JSON.stringify(regimeEvidence('BTC', [], gaps)));
    for (const doc of [full, empty]) {
      expect(check(doc)).toBe(true);
      expect(check.errors ?? []).toEqual([]);
    }
    for (const figure of ['volRatio', 'mannWhitney', 'spearman'])
      expect({ [figure]: full[figure] }).not.toEqual({ [figure]: null });
  });

  it('refuses a missing statistic and a one-sided interval, naming the field', () => {
    const doc = JSON.parse(JSON.stringify(regimeEvidence('BTC', points, gaps)));
    const noRatio = JSON.parse(JSON.stringify({ ...doc, volRatio: undefined }));
    expect(check(noRatio)).toBe(false);
    expect(check.errors?.[0]?.params).toEqual({ missingProperty: 'volRatio' });
    expect(check({ ...doc, callWall: { ...doc.callWall, wilson95: [0.5] } })).toBe(false);
    expect(check.errors?.[0]?.instancePath).toBe('/callWall/wilson95');
  });
});
