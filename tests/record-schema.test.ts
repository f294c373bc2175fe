import Ajv2020 from 'ajv/dist/2020';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyse, DEFAULT_ANALYSIS } from '../lambda/gamma/analyse';
import { recordJsonSchema } from '../lambda/record-schema';
import { loadFixture, ROOT } from './helpers';

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

  it('covers all 19 recorded chains', () => {
    expect(CHAINS).toHaveLength(19);
  });

  it.each(CHAINS)('accepts the record of %s, whose numbers are all finite', (name) => {
    const record = JSON.parse(JSON.stringify(analyse(loadFixture(name, { asOf: AS_OF[name] }))));
    const ok = validate(record);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(numbersIn(record).filter(([, n]) => !Number.isFinite(n))).toEqual([]);
    expect(record.schemaVersion).toBe(2);
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
