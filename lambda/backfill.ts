import { basename } from 'node:path';
import pLimit from 'p-limit';
import { RunFailure } from './failure';
import { chainSession } from './gamma/analyse';
import { analyseInput, loadInput, publishInput, type Analysed, type RunOptions } from './pipeline';
import { indexEntries, loadHistory, publishIndex } from './publish';
import { reportDate } from './record';
import type { Summary } from './report/screener';
import type { Store } from './store/store';
import type { ChainInput } from './types';

export interface BackfillOptions extends Pick<RunOptions, 'analysis' | 'freshness' | 'warn'> {
  /** Publish again the snapshots the store already holds (the same underlying and instant). @default false */
  replace?: boolean;
  /**
   * Files read at once while their snapshots' instants are looked up (each chain is dropped once read).
   * @default 2
   */
  concurrency?: number;
  /**
   * Told of progress: first `reading` each file for its snapshots' instants, then `publishing` each snapshot,
   * with the counts so far (the CLI's progress line).
   */
  onProgress?: (progress: {
    stage: 'reading' | 'publishing';
    done: number;
    total: number;
    failed: number;
  }) => void;
}

/** A snapshot the backfill left out, and why. */
export interface Skipped {
  label: string;
  symbol: string;
  date: string;
  asOf: string;
  reason: string;
}

export interface BackfillResult {
  /** Snapshots published, by underlying: how many, and the first and last date. */
  published: Map<string, { count: number; first: string; last: string }>;
  skipped: Skipped[];
  failures: RunFailure[];
  /** Every underlying listed on the index page after the backfill. */
  indexed: Summary[];
  /** Why the index could not be written, when it could not: the reports themselves were published. */
  indexFailure?: Error;
}

/** One chain of one file, as the first reading found it: enough to order and skip it, not the chain itself. */
interface Found {
  input: ChainInput;
  symbol: string;
  asOf: number;
  /** The date that names its record's files (the market's date). */
  date: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Inputs by file name, then by whole path: the choice does not depend on where the folders are. */
const byName = (a: ChainInput, b: ChainInput) =>
  compare(basename(a.label), basename(b.label)) || compare(a.label, b.label);

/**
 * Publishes recorded snapshots into the store as if the product had run at each one: oldest first, so every
 * record's change compares with the one before it and the history and evidence grow as they would have
 * (docs/methodology.md §11, §16). Files are read twice, never held: once for their snapshots' instants
 * (each chain dropped as soon as it is read), then one at a time in time order to analyse and publish, so
 * memory stays flat however many there are. A snapshot is left out, and named, when the store already holds
 * it (unless `replace`) or a later one of its day, or when the files hold a later one of its day; of two
 * files holding the same snapshot, the one whose file name sorts first is used, so the order the files are given
 * in does not matter. The index and screener are written once, at the end.
 */
export async function backfill(
  inputs: readonly ChainInput[],
  store: Store,
  options: BackfillOptions,
  now: () => Date,
): Promise<BackfillResult> {
  const failures: RunFailure[] = [];
  const skipped: Skipped[] = [];
  const report = (stage: 'reading' | 'publishing', done: number, total: number) =>
    options.onProgress?.({ stage, done, total, failed: failures.length });

  // 1. Each file's snapshots: underlying and instant.
  const found: Found[] = [];
  const limit = pLimit(Math.max(1, options.concurrency ?? 2));
  let read = 0;
  await Promise.all(
    inputs.map((input) =>
      limit(async () => {
        try {
          for (const chain of await loadInput(input)) {
            // The date its report will be filed under: its quote session (docs/methodology.md §7).
            const date = chainSession(chain);
            found.push({ input, symbol: chain.symbol, asOf: chain.asOf, date });
          }
        } catch (e) {
          failures.push(e as RunFailure);
        }
        report('reading', ++read, inputs.length);
      }),
    ),
  );

  // 2. One snapshot per underlying and day: the latest among the files, unless the store holds it or a
  // later one.
  const skip = (f: Found, reason: string) =>
    skipped.push({ label: f.input.label, symbol: f.symbol, date: f.date, asOf: iso(f.asOf), reason });
  const byDay = new Map<string, Found>();
  const sorted = [...found].sort((a, b) => b.asOf - a.asOf || byName(a.input, b.input));
  for (const f of sorted) {
    const day = `${f.symbol} ${f.date}`;
    const kept = byDay.get(day);
    if (kept === undefined) byDay.set(day, f);
    else if (kept.asOf === f.asOf) skip(f, `the same snapshot is in ${kept.input.label}`);
    else skip(f, `a later snapshot of that day is in ${kept.input.label} (${iso(kept.asOf)})`);
  }
  const stored = new Map<string, Map<string, number>>();
  for (const symbol of new Set([...byDay.values()].map((f) => f.symbol))) {
    const history = await loadHistory(store, symbol, options.warn);
    stored.set(symbol, new Map(history.map((p) => [p.date, Date.parse(p.asOf)])));
  }
  const wanted: Found[] = [];
  for (const f of byDay.values()) {
    const held = stored.get(f.symbol)!.get(f.date);
    if (held !== undefined && held > f.asOf) {
      skip(f, `the store holds a later snapshot of that day (${iso(held)})`);
    } else if (held === f.asOf && !options.replace) {
      skip(f, 'already published (--replace publishes it again)');
    } else wanted.push(f);
  }
  skipped.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.asOf.localeCompare(b.asOf));

  // 3. Files in the time order of their snapshots, each read again, analysed and published; the next file is
  // read while this one publishes.
  const files = new Map<ChainInput, { first: number; symbols: Set<string> }>();
  for (const f of wanted) {
    const file = files.get(f.input) ?? { first: f.asOf, symbols: new Set<string>() };
    file.first = Math.min(file.first, f.asOf);
    file.symbols.add(f.symbol);
    files.set(f.input, file);
  }
  const order = [...files].sort(([a, x], [b, y]) => x.first - y.first || byName(a, b));
  const published: BackfillResult['published'] = new Map();
  const analyse = (k: number): Promise<(Analysed | RunFailure)[]> | null => {
    const entry = order[k];
    if (entry === undefined) return null;
    const [input, { symbols }] = entry;
    return analyseInput(input, options.analysis, (chain) => symbols.has(chain.symbol)).catch((e: unknown) => [
      e as RunFailure,
    ]);
  };
  let done = 0;
  let next = analyse(0);
  for (let k = 0; next !== null; k++) {
    const outcomes = await next;
    next = analyse(k + 1);
    // A file that fails to load again counts once for each of its snapshots.
    const planned = done + order[k]![1].symbols.size;
    for (const outcome of outcomes) {
      if (outcome instanceof RunFailure) failures.push(outcome);
      else {
        try {
          const { record } = await publishInput(outcome, store, options);
          const date = reportDate(record);
          const seen = published.get(record.symbol);
          if (seen === undefined) published.set(record.symbol, { count: 1, first: date, last: date });
          else published.set(record.symbol, { count: seen.count + 1, first: seen.first, last: date });
        } catch (e) {
          failures.push(e as RunFailure);
        }
      }
      if (++done < planned) report('publishing', done, wanted.length);
    }
    done = planned;
    report('publishing', done, wanted.length);
  }
  failures.sort((a, b) => a.message.localeCompare(b.message));

  // 4. The index and screener, once; not rewritten when nothing was published and it is there.
  try {
    const untouched = published.size === 0 && (await store.list('')).includes('index.html');
    const indexed = untouched
      ? await indexEntries(store, options.warn)
      : await publishIndex(store, now(), options.warn);
    return { published, skipped, failures, indexed };
  } catch (e) {
    const indexFailure = e instanceof Error ? e : new Error(String(e));
    return { published, skipped, failures, indexed: [], indexFailure };
  }
}
