import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ANALYSIS } from '../lambda/gamma/analyse';
import { run } from '../lambda/pipeline';
import type { ChainInput } from '../lambda/types';
import { loadHistory } from '../lambda/publish';
import { FsStore } from '../lambda/store/fs-store';
import type { ReportRecord } from '../lambda/types';
import { loadFixture } from './helpers';

const SPX = [
  'cboe_SPX_2023-09-14.csv',
  'cboe_SPX_2023-05-19.csv',
  'cboe_SPX_2023-06-08.csv',
  'cboe_SPX_2023-05-26.csv',
  'cboe_SPX_2023-05-23.csv',
];

/** Inputs that finish loading in a scrambled order, so concurrent publishing of one underlying is exercised. */
function inputs(names: string[]): ChainInput[] {
  return names.map((name, i) => ({
    label: name,
    origin: 'file',
    load: async () => {
      await new Promise((resolve) => setTimeout(resolve, ((i * 37) % 5) * 20));
      return [loadFixture(name)];
    },
  }));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gamma-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the pipeline', () => {
  it('gives each snapshot of a run the change against the one before it, whatever order they load in', async () => {
    const result = await run(
      inputs(SPX),
      new FsStore(dir),
      { analysis: DEFAULT_ANALYSIS, concurrency: 5 },
      () => new Date(),
    );
    const previous = Object.fromEntries(
      result.reports.map((r) => [r.asOf.slice(0, 10), r.change?.previousAsOf ?? null]),
    );
    expect(previous).toEqual({
      '2023-05-20': null,
      '2023-05-23': '2023-05-20T15:33:00.000Z',
      '2023-05-26': '2023-05-23T23:39:00.000Z',
      '2023-06-08': previous['2023-06-08'],
      '2023-09-14': previous['2023-09-14'],
    });
    const asOf = Object.fromEntries(result.reports.map((r) => [r.asOf.slice(0, 10), r.asOf]));
    expect(previous['2023-06-08']).toBe(asOf['2023-05-26']);
    expect(previous['2023-09-14']).toBe(asOf['2023-06-08']);
  });

  it('publishes snapshots of one underlying loaded at once without losing any, latest on the newest', async () => {
    const store = new FsStore(dir);
    const result = await run(
      inputs(SPX),
      store,
      { analysis: DEFAULT_ANALYSIS, concurrency: 5 },
      () => new Date(),
    );
    expect(result.failures).toEqual([]);
    expect(result.reports.map((r) => r.asOf)).toEqual(
      SPX.map((n) => loadFixture(n)).map((c) => new Date(c.asOf).toISOString()),
    );
    expect((await loadHistory(store, 'SPX')).map((p) => p.date)).toEqual([
      '2023-05-19',
      '2023-05-23',
      '2023-05-26',
      '2023-06-08',
      '2023-09-14',
    ]);
    expect((JSON.parse((await store.get('SPX/latest.json'))!) as ReportRecord).asOf).toBe(
      '2023-09-14T20:31:00.000Z',
    );
  });

  it('records a failing input and carries on with the others', async () => {
    const broken: ChainInput = {
      label: 'broken.csv',
      origin: 'file',
      load: () => Promise.reject(new Error('no such chain')),
    };
    const result = await run(
      [broken, ...inputs(['deribit_ETH_2025-11-22.csv'])],
      new FsStore(dir),
      { analysis: DEFAULT_ANALYSIS },
      () => new Date(),
    );
    expect(result.failures.map((f) => [f.name, f.stage, f.message])).toEqual([
      ['ReadFailed', 'read', 'broken.csv (file, stage read): no such chain'],
    ]);
    expect(result.reports.map((r) => r.symbol)).toEqual(['ETH']);
    expect(result.indexed.map((e) => e.row.symbol)).toEqual(['ETH']);
  });

  it('publishes every chain of an input that holds several, counting each in the progress, in input order', async () => {
    const two: ChainInput = {
      label: 'both.csv',
      origin: 'file',
      load: async () => [
        loadFixture('deribit_BTC_2024-03-12.csv'),
        loadFixture('deribit_ETH_2025-11-22.csv'),
      ],
    };
    const progress: { done: number; total: number; failed: number }[] = [];
    const result = await run(
      [two, ...inputs(['cboe_SPY_2025-06-06.json'])],
      new FsStore(dir),
      { analysis: DEFAULT_ANALYSIS, concurrency: 1, onProgress: (p) => progress.push(p) },
      () => new Date(),
    );
    expect(result.failures).toEqual([]);
    expect(result.reports.map((r) => r.symbol)).toEqual(['BTC', 'ETH', 'SPY']);
    expect(progress.at(-1)).toEqual({ done: 3, total: 3, failed: 0 });
    expect(progress.every((p) => p.done <= p.total)).toBe(true);
  });
});
