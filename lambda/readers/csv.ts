import type { Options } from 'csv-parse/sync';
import { InputError } from '../errors';
import { MAX_CONTRACTS } from './common';

/** A number as the sources write one: digits, one sign, one decimal point, an exponent (docs/methodology.md §3). */
const PLAIN_NUMBER = /^ *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *$/;

/** The number a text writes plainly (surrounding spaces aside), else null. */
export function plainNumber(text: string): number | null {
  return PLAIN_NUMBER.test(text) ? Number(text) : null;
}

/** What a cell read as a number may hold besides "missing": the same rules as the JSON schemas. */
export type NumberRule = 'any' | 'nonNegative' | 'positive';

/** One data row of a CSV table; valid only inside the call that receives it (the reader reuses it). */
export interface CsvRow {
  /** Its line in the file, from 1. */
  readonly line: number;
  /** The text of a cell, by column from 0. */
  cell(column: number): string;
  /**
   * A cell read strictly: empty is missing (NaN, for the filters to count); anything but a plain finite number
   * within `rule` refuses the chain, naming the file, line, column and value.
   */
  number(column: number, rule: NumberRule): number;
}

export interface CsvTable {
  /** The header's cells, trimmed. */
  header: string[];
  /**
   * Visits each data row in order (empty lines are skipped). A row with more or fewer cells than the header, or
   * more rows than any chain holds, refuses the chain at that row: the file is never read further.
   */
  forEachRow(visit: (row: CsvRow) => void): void;
}

abstract class Row implements CsvRow {
  line = 0;

  constructor(
    private readonly origin: string,
    private readonly header: readonly string[],
  ) {}

  abstract cell(column: number): string;

  number(column: number, rule: NumberRule): number {
    const text = this.cell(column);
    if (text === '') return NaN;
    const value = plainNumber(text);
    if (value === null) {
      if (text.trim() === '') return NaN;
      throw this.refuse(column, text, 'is not a plain number');
    }
    if (!Number.isFinite(value)) throw this.refuse(column, text, 'is beyond any number');
    if (rule === 'nonNegative' && value < 0) throw this.refuse(column, text, 'is negative');
    if (rule === 'positive' && !(value > 0)) throw this.refuse(column, text, 'is not positive');
    return value;
  }

  private refuse(column: number, text: string, problem: string): InputError {
    return new InputError(
      `${this.origin}: line ${this.line}, column ${column + 1} (${this.header[column] ?? '?'}): ${JSON.stringify(text)} ${problem}`,
    );
  }
}

/** A row of the quote-free layout: cells are the text between commas, found without copying the line. */
class SplitRow extends Row {
  /** Where each cell starts in the text; the entry after the last cell is one past the row's end. */
  readonly starts: Int32Array;

  constructor(
    private readonly text: string,
    origin: string,
    header: readonly string[],
  ) {
    super(origin, header);
    this.starts = new Int32Array(header.length + 1);
  }

  cell(column: number): string {
    return this.text.slice(this.starts[column]!, this.starts[column + 1]! - 1);
  }
}

class ParsedRow extends Row {
  cells: readonly string[] = [];

  cell(column: number): string {
    return this.cells[column]!;
  }
}

function wrongWidth(origin: string, line: number, cells: number, width: number): InputError {
  return new InputError(
    `${origin}: line ${line} has ${cells} cells where the header has ${width}: a row cut short or run together (a file cut mid-row?)`,
  );
}

function tooManyRows(origin: string, line: number): InputError {
  return new InputError(`${origin}: line ${line}: more than ${MAX_CONTRACTS} rows: not a real chain`);
}

/** The end of the line starting at `from` (before any `\r`), and where the next line starts. */
function lineAt(text: string, from: number): [end: number, next: number] {
  const newline = text.indexOf('\n', from);
  const next = newline < 0 ? text.length : newline + 1;
  const end = newline < 0 ? text.length : newline;
  return [end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end, next];
}

/**
 * The fixed layouts the sources write have no quotes in their table: each line is split at its commas, and
 * only the cells a reader asks for become strings (about a tenth of the time and memory of a general parser).
 */
function splitTable(text: string, start: number, headerLine: number, origin: string): CsvTable {
  const [headerEnd, bodyStart] = lineAt(text, start);
  const header = text
    .slice(start, headerEnd)
    .split(',')
    .map((c) => c.trim());
  return {
    header,
    forEachRow(visit) {
      const width = header.length;
      const row = new SplitRow(text, origin, header);
      const { starts } = row;
      let line = headerLine;
      let rows = 0;
      for (let pos = bodyStart; pos < text.length;) {
        line++;
        const [end, next] = lineAt(text, pos);
        if (end > pos) {
          if (++rows > MAX_CONTRACTS) throw tooManyRows(origin, line);
          let cells = 1;
          starts[0] = pos;
          for (let comma = text.indexOf(',', pos); comma >= 0 && comma < end;) {
            if (cells === width)
              throw wrongWidth(origin, line, text.slice(pos, end).split(',').length, width);
            starts[cells++] = comma + 1;
            comma = text.indexOf(',', comma + 1);
          }
          if (cells !== width) throw wrongWidth(origin, line, cells, width);
          starts[width] = end + 1;
          row.line = line;
          visit(row);
        }
        pos = next;
      }
    },
  };
}

/** csv-parse, loaded on first use: only a table with quoted cells needs it. */
function csvParse(text: string, options: Options): unknown[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; esbuild bundles it
  const { parse } = require('csv-parse/sync') as typeof import('csv-parse/sync');
  return parse(text, options);
}

/**
 * A table with quoted cells, through csv-parse: every row must have the header's width (no
 * `relax_column_count`), and parsing stops after one row more than any chain holds.
 */
function parsedTable(text: string, headerLine: number, origin: string): CsvTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = csvParse(text, {
      from_line: headerLine,
      skip_empty_lines: true,
      info: true,
      to: MAX_CONTRACTS + 2,
    }) as typeof records;
  } catch (e) {
    const error = e as Error & { code?: string; lines?: number; record?: unknown[] };
    if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      const width = Number(/expect (\d+)/.exec(error.message)?.[1]);
      throw wrongWidth(origin, error.lines ?? NaN, error.record?.length ?? NaN, width);
    }
    throw new InputError(`${origin}: malformed CSV (${error.message})`);
  }
  const [first, ...rows] = records;
  const header = (first?.record ?? []).map((c) => c.trim());
  return {
    header,
    forEachRow(visit) {
      // csv-parse stopped one row past the limit: refuse rather than read a truncated chain.
      if (rows.length > MAX_CONTRACTS) throw tooManyRows(origin, rows[MAX_CONTRACTS]!.info.lines);
      const row = new ParsedRow(origin, header);
      for (const { record, info } of rows) {
        row.line = info.lines;
        row.cells = record;
        visit(row);
      }
    },
  };
}

/**
 * The CSV table whose header is the line starting at offset `start` of the text (line number `headerLine`).
 * Quote-free tables, which is every file the sources write, are split directly; csv-parse reads the rest.
 */
export function csvTable(text: string, start: number, headerLine: number, origin: string): CsvTable {
  return text.indexOf('"', start) < 0
    ? splitTable(text, start, headerLine, origin)
    : parsedTable(text, headerLine, origin);
}

/**
 * The columns of a table found by name, in any order: each name may appear once at most (a repeated one is
 * refused, naming both columns), every `required` name must be there, and an absent `optional` one is -1.
 */
export function columnsByName<R extends string, O extends string = never>(
  table: CsvTable,
  origin: string,
  required: readonly R[],
  optional: readonly O[] = [],
): Record<R | O, number> {
  const { header } = table;
  header.forEach((name, i) => {
    const again = name === '' ? -1 : header.indexOf(name, i + 1);
    if (again >= 0) {
      throw new InputError(`${origin}: the header has "${name}" twice (columns ${i + 1} and ${again + 1})`);
    }
  });
  const columns = {} as Record<R | O, number>;
  for (const name of required) {
    columns[name] = header.indexOf(name);
    if (columns[name] < 0) throw new InputError(`${origin}: the header has no "${name}" column`);
  }
  for (const name of optional) columns[name] = header.indexOf(name);
  return columns;
}
