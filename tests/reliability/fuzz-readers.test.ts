import fc from 'fast-check';
import { analyse } from '../../lambda/gamma/analyse';
import { assertFinite } from '../../lambda/publish';
import { parseChainText } from '../../lambda/readers/detect';
import { DERIBIT_CSV_COLUMNS } from '../../lambda/readers/deribit';
import { InputError } from '../../lambda/errors';
import type { ReportRecord } from '../../lambda/types';
import { readFixture } from '../helpers';
import { binanceDocument, deribitUsdcAnswer, okxAnswers } from '../live/venue-answers';
import { controlCharacters } from './printable';

/**
 * Damaged copies of the real recorded files through every reader. Two properties:
 * - any mutation ends in a finite record or in a clean refusal: an InputError of one printable line naming
 *   the input, never another exception, a NaN in the record, or a hang;
 * - each kind of damage docs/methodology.md §3 names is refused, and each harmless change (an unread cell,
 *   rows reordered, blank lines, CRLF) reads with totals equal to the undamaged chain's.
 */

type Outcome = { refused: InputError } | { record: ReportRecord };

function outcome(text: string): Outcome {
  let record;
  try {
    record = analyse(parseChainText(text, { origin: 'fuzz' }));
  } catch (e) {
    if (e instanceof InputError) return { refused: e };
    throw e;
  }
  assertFinite(record);
  return { record };
}

/** A refusal the CLI can print as it is: one line, naming the input (or, from the analysis, its snapshot) first. */
function expectCleanRefusal(error: InputError): void {
  expect(error.message).toMatch(/^(fuzz|[A-Z0-9._-]+ snapshot \S+): /);
  expect(controlCharacters(error.message)).toEqual([]);
}

/** A small real chain of each format whose contracts count (unexpired, with open interest). */
const spx = readFixture('cboe_SPX_2023-09-14.csv').split('\n');
const atTheMoney = spx.findIndex((l) => l.includes('SPXW230915C04500000'));
const cboeCsv = [...spx.slice(0, 4), ...spx.slice(atTheMoney - 20, atTheMoney + 20)].join('\n') + '\n';
const deribitCsv = readFixture('deribit_BTC_2024-03-12.csv').split('\n').slice(0, 61).join('\n') + '\n';
const cboeJson = (() => {
  const doc = JSON.parse(readFixture('cboe_SPY_2025-06-06.json')) as { data: { options: unknown[] } };
  doc.data.options = doc.data.options.slice(2426, 2466);
  return doc;
})();
const deribitJson = (() => {
  const doc = JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as { result: unknown[] };
  doc.result = doc.result.slice(0, 40);
  return doc;
})();

/**
 * The other venues' JSON: the recorded Bybit chain cut to 60 rows; OKX, Binance and Deribit's USDC book (SOL_USDC
 * alone) built from the real Deribit BTC book in their shapes (tests/live/venue-answers.ts), whole.
 */
type Json = Record<string, unknown>;
const bybitJson = (() => {
  const doc = JSON.parse(readFixture('bybit_BTC_2025-04-18.json')) as { result: { list: unknown[] } };
  doc.result.list = doc.result.list.slice(0, 60);
  return doc;
})();
const okxJson = Object.fromEntries(
  Object.entries(okxAnswers(0.2)).map(([k, t]) => [k, JSON.parse(t) as unknown]),
);
const binanceJson = JSON.parse(binanceDocument(0.05)) as Json;
const deribitUsdc = JSON.parse(deribitUsdcAnswer(['SOL'])) as Json;

/** A failing case is a whole file: report the error and the first characters only. */
function shortReport<T>(details: fc.RunDetails<[T]>): void {
  if (!details.failed) return;
  const sample = JSON.stringify(details.counterexample?.[0] ?? '').slice(0, 400);
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
    '1e999',
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
    '\u001b[31m\n',
    '\u009b31m\u2028',
    '\ud83d\ude00',
    '<script>',
  ),
  fc.double(),
  fc.string(),
);

describe('any mutation: a finite record or a clean refusal', () => {
  const check = (text: string) => {
    const result = outcome(text);
    if ('refused' in result) expectCleanRefusal(result.refused);
    else expect(result.record.dataQuality.contractsUsed).toBeGreaterThan(0);
  };

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
    fc.assert(fc.property(fc.oneof(textMutation(cboeCsv), textMutation(deribitCsv)), check), {
      numRuns: 1500,
      reporter: shortReport,
    });
  });

  it('JSON formats: deleted fields, swapped types, extreme numbers', () => {
    /** A field of one of a document's first 40 rows (in any of its row arrays) deleted or given a strange value. */
    const jsonMutation = (doc: object, arrays: (copy: Json) => Json[][]) =>
      fc
        .tuple(fc.nat(), fc.nat(39), fc.string({ maxLength: 25 }), strange, fc.boolean())
        .map(([which, row, field, value, remove]) => {
          const copy = JSON.parse(JSON.stringify(doc)) as Json;
          const all = arrays(copy);
          const rows = all[which % all.length]!;
          const target = rows[row % rows.length]!;
          const key = Object.keys(target)[field.length % Object.keys(target).length]!;
          if (remove) Reflect.deleteProperty(target, key);
          else target[key] = value;
          // 1e999 survives only as text: JSON.stringify would write the Infinity it parses to as null.
          return JSON.stringify(copy).replace('"1e999"', '1e999');
        });
    const topMutation = fc
      .tuple(fc.constantFrom('timestamp', 'data', 'result', 'jsonrpc', 'error'), strange)
      .map(([key, value]) => {
        const copy = JSON.parse(
          JSON.stringify(key === 'result' || key === 'jsonrpc' || key === 'error' ? deribitJson : cboeJson),
        );
        copy[key] = key === 'error' ? { code: 1, message: value } : value;
        return JSON.stringify(copy);
      });
    const rowsOf = (doc: Json, ...path: string[]) =>
      path.reduce((d, k) => d[k] as Json, doc) as unknown as Json[];
    fc.assert(
      fc.property(
        fc.oneof(
          jsonMutation(cboeJson, (d) => [rowsOf(d, 'data', 'options')]),
          jsonMutation(deribitJson, (d) => [rowsOf(d, 'result')]),
          jsonMutation(deribitUsdc, (d) => [rowsOf(d, 'result')]),
          jsonMutation(bybitJson, (d) => [rowsOf(d, 'result', 'list')]),
          jsonMutation(okxJson, (d) => [
            rowsOf(d, 'opt-summary', 'data'),
            rowsOf(d, 'open-interest', 'data'),
          ]),
          jsonMutation(binanceJson, (d) => [
            rowsOf(d, 'exchangeInfo', 'optionSymbols'),
            rowsOf(d, 'mark'),
            Object.values(d['openInterest'] as Record<string, Json[]>).flat(),
          ]),
          topMutation,
        ),
        check,
      ),
      { numRuns: 1500, reporter: shortReport },
    );
  });
});

/** What a damage must lead to: a refusal, or the same totals as the undamaged chain. */
interface Damaged {
  kind: string;
  text: string;
  expect: 'refused' | 'same';
}

/** A CSV layout: its header line (from 1) and which columns the reader reads. */
interface Layout {
  base: string;
  header: number;
  /** Numbers read, and those of them that may not be negative. */
  numbers: number[];
  counts: number[];
  /** Cells never read. */
  unread: number[];
  /** Header names a reader looks up, and the unread header cells one could be renamed from. */
  readNames: readonly string[];
  renamable: number[];
}

const CBOE_LAYOUT: Layout = {
  base: cboeCsv,
  header: 4,
  numbers: [4, 5, 7, 9, 10, 15, 16, 18, 20, 21],
  counts: [4, 5, 7, 10, 15, 16, 18, 21],
  unread: [0, 2, 3, 6, 8, 11, 13, 14, 17, 19],
  readNames: ['Bid', 'Ask', 'IV', 'Gamma', 'Open Interest'],
  // Call-side columns between Calls and Strike, and put-side ones after Puts.
  renamable: [2, 3, 6, 8, 13, 14, 17, 19],
};
const DERIBIT_HEADER = deribitCsv.split('\n')[0]!.split(',');
const col = (name: string) => DERIBIT_HEADER.indexOf(name);
const DERIBIT_READ = DERIBIT_CSV_COLUMNS;
const DERIBIT_LAYOUT: Layout = {
  base: deribitCsv,
  header: 1,
  numbers: [
    'open_interest',
    'mark_iv',
    'underlying_price',
    'estimated_delivery_price',
    'creation_timestamp',
    'bid_price',
    'ask_price',
  ].map(col),
  counts: ['open_interest', 'mark_iv', 'bid_price', 'ask_price'].map(col),
  unread: DERIBIT_HEADER.map((_, i) => i).filter((i) => !DERIBIT_READ.includes(DERIBIT_HEADER[i]!)),
  readNames: DERIBIT_READ,
  renamable: DERIBIT_HEADER.map((_, i) => i).filter((i) => !DERIBIT_READ.includes(DERIBIT_HEADER[i]!)),
};

/** Written numbers no reader may guess at. */
const BAD_NUMBERS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1e999',
  '12abc',
  '1.2.3',
  'n/a',
  '"1,234"',
  '1 000',
  '∞',
];
/** Text for an unread cell: anything but the CSV's own delimiters. */
const junk = fc.string({ maxLength: 12 }).map((s) => s.replace(/[,"\r\n]/g, ''));

function csvDamage(layout: Layout): fc.Arbitrary<Damaged> {
  const lines = layout.base.trimEnd().split('\n');
  const head = lines.slice(0, layout.header);
  const rows = lines.slice(layout.header);
  const join = (body: string[], h = head) => [...h, ...body].join('\n') + '\n';
  const row = fc.nat(rows.length - 1);
  const withCell = (r: number, c: number, value: string) =>
    join(
      rows.map((l, i) =>
        i === r
          ? l
              .split(',')
              .map((x, j) => (j === c ? value : x))
              .join(',')
          : l,
      ),
    );
  return fc.oneof(
    fc
      .tuple(row, fc.constantFrom(...layout.numbers), fc.constantFrom(...BAD_NUMBERS))
      .map(([r, c, v]) => ({ kind: `bad number ${v}`, text: withCell(r, c, v), expect: 'refused' as const })),
    fc
      .tuple(row, fc.constantFrom(...layout.counts), fc.constantFrom('-1', '-0.5', '-1e-9'))
      .map(([r, c, v]) => ({ kind: `negative ${v}`, text: withCell(r, c, v), expect: 'refused' as const })),
    fc.tuple(row, fc.constantFrom(...layout.unread), junk).map(([r, c, v]) => ({
      kind: 'junk in an unread cell',
      text: withCell(r, c, v),
      expect: 'same' as const,
    })),
    fc.tuple(row, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })).map(([r, at]) => {
      // Cut inside the row, before its last cell: a cut inside the last cell or at a line end reads as a
      // shorter file, which no reader can tell from the text.
      const line = rows[r]!;
      const cut = 1 + Math.floor(at * line.lastIndexOf(','));
      return {
        kind: 'cut mid-row',
        text: [...head, ...rows.slice(0, r), line.slice(0, cut)].join('\n'),
        expect: 'refused' as const,
      };
    }),
    fc.tuple(row, row).map(([r, at]) => {
      const body = [...rows];
      body.splice(at, 0, rows[r]!);
      return { kind: 'a row repeated', text: join(body), expect: 'refused' as const };
    }),
    fc.tuple(row, fc.nat(30), fc.boolean()).map(([r, c, extra]) => {
      const cells = rows[r]!.split(',');
      if (extra) cells.splice(c % cells.length, 0, '0');
      else cells.splice(c % cells.length, 1);
      const body = rows.map((l, i) => (i === r ? cells.join(',') : l));
      return {
        kind: extra ? 'a cell too many' : 'a cell missing',
        text: join(body),
        expect: 'refused' as const,
      };
    }),
    fc.tuple(fc.constantFrom(...layout.renamable), fc.constantFrom(...layout.readNames)).map(([c, name]) => {
      const header = head.map((l, i) =>
        i === layout.header - 1
          ? l
              .split(',')
              .map((x, j) => (j === c ? name : x))
              .join(',')
          : l,
      );
      return { kind: `header names ${name} twice`, text: join(rows, header), expect: 'refused' as const };
    }),
    fc.shuffledSubarray(rows, { minLength: rows.length }).map((body) => ({
      kind: 'rows reordered',
      text: join(body),
      expect: 'same' as const,
    })),
    fc.array(row, { maxLength: 5 }).map((blanks) => {
      const body = rows.flatMap((l, i) => (blanks.includes(i) ? ['', l] : [l]));
      return { kind: 'blank lines', text: join(body), expect: 'same' as const };
    }),
    fc.constant({ kind: 'CRLF line ends', text: join(rows).replace(/\n/g, '\r\n'), expect: 'same' as const }),
  );
}

function jsonDamage(
  doc: object,
  rowsOf: (d: never) => Record<string, unknown>[],
  read: string[],
): fc.Arbitrary<Damaged> {
  const copy = () => JSON.parse(JSON.stringify(doc)) as never;
  const count = rowsOf(copy()).length;
  const row = fc.nat(count - 1);
  const numeric = (r: Record<string, unknown>) => Object.keys(r).filter((k) => typeof r[k] === 'number');
  return fc.oneof(
    fc.tuple(row, fc.nat(40)).map(([i, k]) => {
      const d = copy();
      const target = rowsOf(d)[i]!;
      const key = numeric(target)[k % numeric(target).length]!;
      target[key] = String(target[key]);
      return {
        kind: `${key} as a string`,
        text: JSON.stringify(d),
        expect: read.includes(key) ? ('refused' as const) : ('same' as const),
      };
    }),
    fc.tuple(row, fc.constantFrom(...read)).map(([i, key]) => {
      const d = copy();
      rowsOf(d)[i]![key] = 'OVERFLOW';
      return {
        kind: `${key} 1e999`,
        text: JSON.stringify(d).replace('"OVERFLOW"', '1e999'),
        expect: 'refused' as const,
      };
    }),
    fc.tuple(row, row).map(([i, at]) => {
      const d = copy();
      const rows = rowsOf(d);
      rows.splice(at, 0, rows[i]!);
      return { kind: 'an option repeated', text: JSON.stringify(d), expect: 'refused' as const };
    }),
    fc.shuffledSubarray([...Array(count).keys()], { minLength: count }).map((order) => {
      const d = copy();
      const rows = rowsOf(d);
      const shuffled = order.map((i) => rows[i]!);
      rows.splice(0, rows.length, ...shuffled);
      return { kind: 'options reordered', text: JSON.stringify(d), expect: 'same' as const };
    }),
  );
}

/** Totals and counts of two records of the same contracts, whose sums may differ in order of addition. */
function expectSameTotals(record: ReportRecord, undamaged: ReportRecord): void {
  expect(record.dataQuality).toEqual(undamaged.dataQuality);
  expect(record.asOf).toBe(undamaged.asOf);
  expect(record.spot).toBe(undamaged.spot);
  for (const key of ['netGex', 'callGex', 'putGex'] as const) {
    const [a, b] = [record.totals[key], undamaged.totals[key]];
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.abs(b));
  }
}

describe('each damage §3 names is refused; a harmless change reads the same', () => {
  const check = (undamaged: ReportRecord) => (damage: Damaged) => {
    const result = outcome(damage.text);
    if (damage.expect === 'refused') {
      expect(['refused', damage.kind]).toEqual([Object.keys(result)[0], damage.kind]);
      expectCleanRefusal((result as { refused: InputError }).refused);
    } else {
      expect(['record', damage.kind, 'refused' in result ? result.refused.message : '']).toEqual([
        Object.keys(result)[0],
        damage.kind,
        '',
      ]);
      expectSameTotals((result as { record: ReportRecord }).record, undamaged);
    }
  };
  const recordOf = (text: string) => {
    const result = outcome(text);
    expect(result).toHaveProperty('record');
    const { record } = result as { record: ReportRecord };
    expect(record.dataQuality.contractsUsed).toBeGreaterThan(10);
    return record;
  };

  it.each([
    ['Cboe CSV', CBOE_LAYOUT],
    ['Deribit CSV', DERIBIT_LAYOUT],
  ] as const)('%s', (_, layout) => {
    fc.assert(fc.property(csvDamage(layout), check(recordOf(layout.base))), {
      numRuns: 400,
      reporter: shortReport,
    });
  });

  it('Cboe JSON', () => {
    const rows = (d: { data: { options: Record<string, unknown>[] } }) => d.data.options;
    const damage = jsonDamage(cboeJson, rows as never, ['open_interest', 'iv', 'gamma', 'bid', 'ask']);
    fc.assert(fc.property(damage, check(recordOf(JSON.stringify(cboeJson)))), {
      numRuns: 300,
      reporter: shortReport,
    });
  });

  it('Deribit JSON', () => {
    const rows = (d: { result: Record<string, unknown>[] }) => d.result;
    const read = [
      'open_interest',
      'mark_iv',
      'underlying_price',
      'estimated_delivery_price',
      'creation_timestamp',
      'bid_price',
      'ask_price',
    ];
    const damage = jsonDamage(deribitJson, rows as never, read);
    fc.assert(fc.property(damage, check(recordOf(JSON.stringify(deribitJson)))), {
      numRuns: 300,
      reporter: shortReport,
    });
  });
});

describe('the chain-level rules of §3 on damaged real chains: refused cleanly, or published as the rule says', () => {
  const lines = cboeCsv.trimEnd().split('\n');
  const head = lines.slice(0, 4);
  const rows = lines.slice(4);
  const base = outcome(cboeCsv) as { record: ReportRecord };
  const spotCheck = base.record.dataQuality.spotCheck!;
  /** Open interest: column 11 for the call, 22 for the put (from 1). */
  const OI = { call: 10, put: 21 } as const;
  const withRows = (edit: (cells: string[], row: number) => string[]) =>
    [...head, ...rows.map((l, i) => edit(l.split(','), i).join(','))].join('\n') + '\n';
  const refused = (text: string, kind: string) => {
    const result = outcome(text);
    expect(['refused', kind]).toEqual([Object.keys(result)[0], kind]);
    expectCleanRefusal((result as { refused: InputError }).refused);
    return (result as { refused: InputError }).refused.message;
  };

  it('holds a base chain that passes every rule, its spot checked against parity', () => {
    expect(spotCheck.status).toBe('passed');
    expect(rows).toHaveLength(40);
  });

  it('refuses a chain made one-sided: every call’s or every put’s open interest blank or 0', () => {
    fc.assert(
      fc.property(fc.constantFrom('call', 'put'), fc.constantFrom('', '0', '0.0'), (side, blank) => {
        const text = withRows((c) => c.map((v, j) => (j === OI[side] ? blank : v)));
        expect(refused(text, `one-sided ${side}`)).toMatch(`no ${side} open interest: a one-sided chain`);
      }),
    );
  });

  it('refuses a chain whose open interest is kept on under 5% of its contracts, and reads one with 5% or more', () => {
    // 80 contracts: 4 is 5%. The contracts keeping theirs are picked at random, calls and puts alike.
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(79), { minLength: 0, maxLength: 12 }), (kept) => {
        const text = withRows((c, r) =>
          c.map((v, j) =>
            (j === OI.call && !kept.includes(2 * r)) || (j === OI.put && !kept.includes(2 * r + 1)) ? '' : v,
          ),
        );
        const result = outcome(text);
        const sides = new Set(kept.map((k) => k % 2));
        if (kept.length < 4) {
          expect(['refused', kept.length]).toEqual([Object.keys(result)[0], kept.length]);
          expectCleanRefusal((result as { refused: InputError }).refused);
        } else if ('refused' in result) {
          // Enough open interest: only another rule may refuse it (one side, or a side's coverage).
          expect(result.refused.message).not.toMatch(/carry open interest/);
          expect(sides.size < 2 || /usable implied volatility/.test(result.refused.message)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a spot moved more than 10% from the implied forward, and reads one moved less', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), (factor) => {
        const spot = Number((4505.1001 * factor).toPrecision(8));
        const gap = Math.abs(spot / spotCheck.forward! - 1);
        fc.pre(Math.abs(gap - 0.1) > 1e-6);
        const text = cboeCsv.replace('Last: 4505.1001', `Last: ${spot}`);
        const result = outcome(text);
        if (gap > 0.1) expect(refused(text, `spot ${spot}`)).toMatch(/the spot contradicts the chain/);
        else expect((result as { record: ReportRecord }).record.spot).toBe(spot);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a JSON document in which any object repeats a key, whatever the values', () => {
    const text = JSON.stringify(cboeJson);
    // Keys of plain values: an object's `own` value would be cut at its first comma (`"data":{"options":[…,`).
    const keys = [...text.matchAll(/[{,]"([a-z_]+)":(?![{[])/g)];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.constantFrom('null', '0', '"x"', 'same'), (m, value) => {
        const at = m.index + 1;
        const own = /^"[a-z_]+":([^,}\]]*)/.exec(text.slice(at))![1];
        const copy = `"${m[1]}":${value === 'same' ? own : value},`;
        expect(refused(text.slice(0, at) + copy + text.slice(at), `${m[1]} twice`)).toMatch(
          new RegExp(`^fuzz: the key "${m[1]}" appears twice in `),
        );
      }),
      { numRuns: 200 },
    );
  });
});
