import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { backfill, type BackfillOptions } from '../lambda/backfill';
import { DEFAULT_ANALYSIS } from '../lambda/gamma/analyse';
import { fileInput } from '../lambda/readers/detect';
import { FsStore } from '../lambda/store/fs-store';
import type { ReportRecord } from '../lambda/types';
import { ROOT } from './helpers';

/**
 * The backfill (lambda/backfill.ts) on the bundled 42-day BTC and ETH series: the store it leaves is the one a
 * daily run would have left, its evidence is what an independent implementation (scripts/evidence.py, plain
 * Python from docs/methodology.md §16) computes from the stored records, and neither the order of the files
 * nor a second run changes it.
 */

const SERIES = join(ROOT, 'samples', 'series', 'deribit');
const FILES = readdirSync(SERIES)
  .sort()
  .map((name) => join(SERIES, name));
/** The run's clock: fixed, so two stores written by the same work are byte for byte the same. */
const NOW = () => new Date(Date.UTC(2026, 1, 10, 8));
const OPTIONS: BackfillOptions = { analysis: DEFAULT_ANALYSIS };

const inputs = (paths: readonly string[]) => paths.map((path) => fileInput(path, {}, NOW));
const run = (dir: string, paths: readonly string[], options: Partial<BackfillOptions> = {}) =>
  backfill(inputs(paths), new FsStore(dir), { ...OPTIONS, ...options }, NOW);

/** Every file under a folder: its text and when it was last written. */
function snapshot(dir: string): Record<string, { text: string; mtime: number }> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile())
      .sort()
      .map((f) => [relative(dir, f), { text: readFileSync(f, 'utf8'), mtime: statSync(f).mtimeMs }]),
  );
}
const texts = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).map(([k, v]) => [k, v.text]));

/** Numbers within 1e-12 of each other (relative), everything else equal: the two implementations' sums differ in order. */
function near(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)) + 1e-15
      ? []
      : [`${path}: ${a} ≠ ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.flatMap((v, i) => near(v, b[i], `${path}[${i}]`));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b as object)])].sort();
    return keys.flatMap((k) =>
      near((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gamma-backfill-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the backfill of the bundled 42-day series', () => {
  let store: string;
  let result: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    store = folder();
    result = await run(store, FILES);
  }, 60_000);

  it('publishes both currencies of every file, 84 records, and the index once', () => {
    expect(result.failures).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect([...result.published]).toEqual([
      ['BTC', { count: 42, first: '2025-12-30', last: '2026-02-09' }],
      ['ETH', { count: 42, first: '2025-12-30', last: '2026-02-09' }],
    ]);
    expect(result.indexed.map((s) => s.row.symbol)).toEqual(['BTC', 'ETH']);
    for (const symbol of ['BTC', 'ETH']) {
      const dated = readdirSync(join(store, symbol)).filter((f) => /^\d{4}-\d\d-\d\d\.json$/.test(f));
      expect(dated).toHaveLength(42);
    }
  });

  it('gives each record the change against the day before, as daily runs would have', () => {
    const dated = readdirSync(join(store, 'BTC'))
      .filter((f) => /^\d{4}-\d\d-\d\d\.json$/.test(f))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(store, 'BTC', f), 'utf8')) as ReportRecord);
    expect(dated[0]!.change).toBeNull();
    for (let i = 1; i < dated.length; i++) expect(dated[i]!.change!.previousAsOf).toBe(dated[i - 1]!.asOf);
  });

  it('writes each evidence.json as scripts/evidence.py computes it from the stored records', async () => {
    const { stdout } = await promisify(execFile)('python3', [join(ROOT, 'scripts', 'evidence.py'), store]);
    const reference = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(reference)).toEqual(['BTC', 'ETH']);
    for (const symbol of ['BTC', 'ETH']) {
      const product = JSON.parse(readFileSync(join(store, symbol, 'evidence.json'), 'utf8')) as {
        pairs: number;
      };
      expect(near(product, reference[symbol])).toEqual([]);
      // 41 days apart in 42 snapshots; the 2026-02-02 one was taken at 15:45, 18 h after the one before
      // and 30 h before the next: both pairs around it fall outside 20 to 28 hours.
      expect(product.pairs).toBe(39);
    }
  });

  it('puts the evidence in the summary: the screener’s vol ratio and the email’s sentence', () => {
    const summary = JSON.parse(readFileSync(join(store, 'BTC', 'summary.json'), 'utf8'));
    const evidence = JSON.parse(readFileSync(join(store, 'BTC', 'evidence.json'), 'utf8'));
    expect(summary.row.volRatio).toBe(evidence.volRatio);
    expect(summary.evidence).toEqual({
      pairs: 39,
      positive: evidence.byRegime.positive.n,
      negative: evidence.byRegime.negative.n,
      volRatio: evidence.volRatio,
      p: evidence.mannWhitney.p,
    });
    expect(readFileSync(join(store, 'screener.csv'), 'utf8').split('\r\n')[0]).toMatch(/,volRatio$/);
  });
});

describe('a backfill', () => {
  // Twelve days, 2026-01-25 to 02-05: the 02-02 snapshot at 15:45 among them.
  const twelve = FILES.slice(26, 38);

  it('publishes the same store whatever order the files come in', async () => {
    const ordered = folder();
    const shuffled = folder();
    await run(ordered, twelve);
    await run(
      shuffled,
      [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4].map((i) => twelve[i]!),
    );
    expect(texts(shuffled)).toEqual(texts(ordered));
  }, 60_000);

  it('changes nothing when run again, naming each snapshot it skipped; --replace publishes them again', async () => {
    const dir = folder();
    await run(dir, twelve);
    const before = snapshot(dir);
    const again = await run(dir, twelve);
    expect(snapshot(dir)).toEqual(before);
    expect(again.published.size).toBe(0);
    expect(again.indexed.map((s) => s.row.symbol)).toEqual(['BTC', 'ETH']);
    expect(again.skipped).toHaveLength(24);
    expect(again.skipped[0]).toEqual({
      label: twelve[0],
      symbol: 'BTC',
      date: '2026-01-25',
      asOf: '2026-01-25T21:19:33.016Z',
      reason: 'already published (--replace publishes it again)',
    });
    const replaced = await run(dir, twelve, { replace: true });
    expect(replaced.skipped).toEqual([]);
    expect([...replaced.published.values()].map((p) => p.count)).toEqual([12, 12]);
    expect(texts(dir)).toEqual(Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.text])));
  }, 60_000);

  it('publishes only what the store lacks, oldest first, and the change of a late day against its neighbours', async () => {
    const full = folder();
    await run(full, twelve);
    const gap = folder();
    await run(gap, [...twelve.slice(0, 5), ...twelve.slice(6)]);
    const filled = await run(gap, twelve);
    expect([...filled.published]).toEqual([
      ['BTC', { count: 1, first: '2026-01-30', last: '2026-01-30' }],
      ['ETH', { count: 1, first: '2026-01-30', last: '2026-01-30' }],
    ]);
    expect(filled.skipped).toHaveLength(22);
    const read = (dir: string, key: string) => JSON.parse(readFileSync(join(dir, key), 'utf8'));
    for (const symbol of ['BTC', 'ETH']) {
      expect(read(gap, `${symbol}/evidence.json`)).toEqual(read(full, `${symbol}/evidence.json`));
      expect(read(gap, `${symbol}/history.json`)).toEqual(read(full, `${symbol}/history.json`));
      expect(read(gap, `${symbol}/2026-01-30.json`)).toEqual(read(full, `${symbol}/2026-01-30.json`));
    }
  }, 60_000);

  it('keeps one snapshot a day: the latest among the files, of two copies the first by name; the rest named', async () => {
    const dir = folder();
    const copies = folder();
    // Its file name sorts after the sample's although its folder (a temporary one) may sort before: the
    // file name decides, wherever the folders are.
    const copy = join(copies, 'z-copy.csv.gz');
    copyFileSync(twelve[0]!, copy);
    // The same day 40 minutes later: the text with every timestamp moved.
    const text = gunzipSync(readFileSync(twelve[1]!)).toString('utf8');
    const later = join(copies, 'later.csv.gz');
    writeFileSync(later, gzipSync(text.replace(/T21:24:49\.\d+\+00:00/g, 'T21:58:21.000000+00:00')));
    const result = await run(dir, [twelve[0]!, copy, twelve[1]!, later]);
    expect(result.failures).toEqual([]);
    expect(result.skipped.map((s) => [s.symbol, s.date, s.label, s.reason])).toEqual([
      ['BTC', '2026-01-25', copy, `the same snapshot is in ${twelve[0]}`],
      [
        'BTC',
        '2026-01-26',
        twelve[1],
        `a later snapshot of that day is in ${later} (2026-01-26T21:58:21.000Z)`,
      ],
      ['ETH', '2026-01-25', copy, `the same snapshot is in ${twelve[0]}`],
      [
        'ETH',
        '2026-01-26',
        twelve[1],
        `a later snapshot of that day is in ${later} (2026-01-26T21:58:21.000Z)`,
      ],
    ]);
    const btc = JSON.parse(readFileSync(join(dir, 'BTC', 'latest.json'), 'utf8')) as ReportRecord;
    expect(btc.asOf).toBe('2026-01-26T21:58:21.000Z');
    // The store holds the later one now: the original is skipped for it.
    const again = await run(dir, [twelve[1]!]);
    expect(again.skipped[0]!.reason).toBe(
      'the store holds a later snapshot of that day (2026-01-26T21:58:21.000Z)',
    );
  }, 60_000);

  it('names a damaged file and a refused currency, and publishes everything else', async () => {
    const dir = folder();
    const damaged = folder();
    const bad = join(damaged, 'cut.csv.gz');
    const gz = readFileSync(twelve[2]!);
    writeFileSync(bad, gz.subarray(0, gz.length >> 1));
    // Every ETH implied volatility blank: the ETH chain fails coverage, the BTC chain of the file publishes.
    const text = gunzipSync(readFileSync(twelve[3]!)).toString('utf8');
    const lines = text.split('\n');
    const header = lines[0]!.split(',');
    const iv = header.indexOf('implied_volatility');
    const currency = header.indexOf('currency');
    const noEthIv = lines
      .map((l, i) => {
        const cells = l.split(',');
        if (i === 0 || cells[currency] !== 'ETH') return l;
        cells[iv] = '';
        return cells.join(',');
      })
      .join('\n');
    const half = join(damaged, 'half.csv');
    writeFileSync(half, noEthIv);
    const result = await run(dir, [twelve[0]!, twelve[1]!, bad, half]);
    expect(result.failures.map((f) => f.name)).toEqual(['InvalidData', 'InvalidData']);
    expect(result.failures[0]!.message).toBe(
      `${bad} (file, stage validate): damaged gzip (unexpected end of file)`,
    );
    // The refusal itself is the analysis's (docs/methodology.md §3); the name says which file and currency.
    const prefix = `${half} [ETH] (file, stage validate): ETH snapshot 2026-01-28T21:29:43.953Z: `;
    expect(result.failures[1]!.message.slice(0, prefix.length)).toBe(prefix);
    expect([...result.published]).toEqual([
      ['BTC', { count: 3, first: '2026-01-25', last: '2026-01-28' }],
      ['ETH', { count: 2, first: '2026-01-25', last: '2026-01-26' }],
    ]);
  }, 60_000);
});
