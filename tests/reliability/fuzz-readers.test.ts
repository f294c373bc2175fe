import fc from 'fast-check';
import { analyse } from '../../lambda/gamma/analyse';
import { assertFinite } from '../../lambda/publish';
import { parseChainText } from '../../lambda/readers/detect';
import { InputError } from '../../lambda/errors';
import { readFixture } from '../helpers';

/**
 * Mutations of the real recorded files must end in a valid, finite record or in the readers' own InputError:
 * never another exception, a NaN in the record, or a hang.
 */
function outcome(text: string): 'record' | 'input-error' {
  let record;
  try {
    record = analyse(parseChainText(text, { origin: 'fuzz' }));
  } catch (e) {
    if (e instanceof InputError) return 'input-error';
    throw e;
  }
  assertFinite(record);
  return 'record';
}

/** A small real chain of each format: the first rows of the recorded files. */
function head(name: string, lines: number): string {
  return readFixture(name).split('\n').slice(0, lines).join('\n');
}
const cboeCsv = head('cboe_SPX_2023-09-14.csv', 60);
const deribitCsv = head('deribit_BTC_2024-03-12.csv', 60);
const cboeJson = (() => {
  const doc = JSON.parse(readFixture('cboe_SPY_2025-06-06.json')) as { data: { options: unknown[] } };
  doc.data.options = doc.data.options.slice(2000, 2040);
  return doc;
})();
const deribitJson = (() => {
  const doc = JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as { result: unknown[] };
  doc.result = doc.result.slice(0, 40);
  return doc;
})();

/** A failing case is a whole file: report the error and the first characters only. */
function shortReport(details: fc.RunDetails<[string]>): void {
  if (!details.failed) return;
  const sample = JSON.stringify(details.counterexample?.[0] ?? '').slice(0, 300);
  throw new Error(
    `${details.errorInstance instanceof Error ? details.errorInstance.message : 'failed'}\non input ${sample}…`,
  );
}

const strange = fc.oneof(
  fc.constantFrom(
    null,
    '',
    'NaN',
    'Infinity',
    '-1',
    '1e308',
    '0',
    -1,
    0,
    1e308,
    -1e308,
    Number.NaN,
    true,
    [],
    {},
    '\u0000',
    '\ud83d\ude00',
    '<script>',
  ),
  fc.double(),
  fc.string(),
);

describe('reader fuzzing on mutated real files', () => {
  it('text formats: truncation, deleted and duplicated lines, replaced cells, unicode', () => {
    const textMutation = (base: string) =>
      fc.oneof(
        fc.nat(base.length).map((n) => base.slice(0, n)),
        fc.tuple(fc.nat(60), fc.nat(60)).map(([a, b]) => {
          const lines = base.split('\n');
          lines.splice(Math.min(a, b), Math.abs(a - b));
          return lines.join('\n');
        }),
        fc
          .tuple(fc.nat(base.length), fc.string({ maxLength: 20 }))
          .map(([at, s]) => base.slice(0, at) + s + base.slice(at)),
        fc.tuple(fc.nat(60), fc.nat(30), strange).map(([line, cell, value]) => {
          const lines = base.split('\n');
          const cells = (lines[line] ?? '').split(',');
          cells[cell % Math.max(1, cells.length)] = String(value);
          lines[line] = cells.join(',');
          return lines.join('\n');
        }),
      );
    fc.assert(
      fc.property(fc.oneof(textMutation(cboeCsv), textMutation(deribitCsv)), (text) => {
        expect(['record', 'input-error']).toContain(outcome(text));
      }),
      { numRuns: 1500, reporter: shortReport },
    );
  });

  it('JSON formats: deleted fields, swapped types, extreme numbers', () => {
    const jsonMutation = (doc: { [k: string]: unknown }, rowsKey: 'data.options' | 'result') =>
      fc
        .tuple(fc.nat(39), fc.string({ maxLength: 25 }), strange, fc.boolean())
        .map(([row, field, value, remove]) => {
          const copy = JSON.parse(JSON.stringify(doc));
          const rows = rowsKey === 'result' ? copy.result : copy.data.options;
          const target = rows[row] as Record<string, unknown>;
          const key = Object.keys(target)[field.length % Object.keys(target).length]!;
          if (remove) Reflect.deleteProperty(target, key);
          else target[key] = value;
          return JSON.stringify(copy);
        });
    const topMutation = fc
      .tuple(fc.constantFrom('timestamp', 'data', 'result', 'jsonrpc'), strange)
      .map(([key, value]) => {
        const copy = JSON.parse(
          JSON.stringify(key === 'result' || key === 'jsonrpc' ? deribitJson : cboeJson),
        );
        copy[key] = value;
        return JSON.stringify(copy);
      });
    fc.assert(
      fc.property(
        fc.oneof(jsonMutation(cboeJson, 'data.options'), jsonMutation(deribitJson, 'result'), topMutation),
        (text) => {
          expect(['record', 'input-error']).toContain(outcome(text));
        },
      ),
      { numRuns: 1500, reporter: shortReport },
    );
  });
});
