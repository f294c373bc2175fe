import pLimit from 'p-limit';
import type { FailureName } from './contract';
import { InputError } from './errors';
import { RunFailure } from './failure';
import { analyse, type AnalysisOptions } from './gamma/analyse';
import { FetchError } from './live/http';
import { publishIndex, publishReport, type PublishOptions, type Published } from './publish';
import type { Summary } from './report/screener';
import type { Store } from './store/store';
import type { ChainInput, OptionChain, ReportRecord } from './types';

export interface RunOptions extends Pick<PublishOptions, 'freshness' | 'warn'> {
  /** What to compute, the strike window of the grid and the pages included. */
  analysis: AnalysisOptions;
  /** Inputs loaded and analysed at once (downloads and file reads overlap). @default 4 */
  concurrency?: number;
  /**
   * A random wait of up to this many milliseconds before each download, so a long watchlist does not reach
   * the source in bursts. @default 0
   */
  jitterMs?: number;
  /** Called as each input ends, with the counts so far (the CLI's progress line). */
  onProgress?: (progress: { done: number; total: number; failed: number }) => void;
}

export interface RunResult {
  reports: ReportRecord[];
  failures: RunFailure[];
  /** Every underlying listed on the index page after the run. */
  indexed: Summary[];
  /** Why the index could not be written, when it could not: the reports themselves were published. */
  indexFailure?: Error;
}

type Step = 'load' | 'analyse' | 'publish';

/** What names a failure: the input, and the chain's symbol when the input holds several chains. */
export type Source = Pick<ChainInput, 'label' | 'origin'>;

/** One chain of an input, analysed, with the name its failures would carry. */
export interface Analysed {
  source: Source;
  record: ReportRecord;
}

/** Names an error raised while the pipeline was at `step`, by what it is rather than where it came from. */
function failureName(step: Step, error: unknown): FailureName {
  if (error instanceof FetchError) return error.transient ? 'SourceUnavailable' : 'SourceRefused';
  if (error instanceof InputError) return 'InvalidData';
  return step === 'load' ? 'ReadFailed' : step === 'analyse' ? 'AnalysisFailed' : 'PublishFailed';
}

async function step<T>(source: Source, at: Step, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    throw new RunFailure(failureName(at, error), source.label, source.origin, error);
  }
}

/** Loads (reads or fetches, then validates) one input's chains; a failure is the input's RunFailure. */
export function loadInput(input: ChainInput): Promise<OptionChain[]> {
  return step(input, 'load', () => input.load());
}

/**
 * Loads one input and analyses each chain it holds that `wanted` accepts (all by default). A failure to load
 * throws for the whole input; a chain whose analysis fails comes back as its failure, named by the input and,
 * when it holds several, the chain's symbol (`snap.csv.gz [ETH]`), and the others go on.
 */
export async function analyseInput(
  input: ChainInput,
  analysis: AnalysisOptions,
  wanted: (chain: OptionChain) => boolean = () => true,
): Promise<(Analysed | RunFailure)[]> {
  const chains = await loadInput(input);
  const out: (Analysed | RunFailure)[] = [];
  for (const chain of chains) {
    if (!wanted(chain)) continue;
    const source = chains.length === 1 ? input : { ...input, label: `${input.label} [${chain.symbol}]` };
    try {
      out.push({ source, record: await step(source, 'analyse', () => analyse(chain, analysis)) });
    } catch (e) {
      out.push(e as RunFailure);
    }
  }
  return out;
}

/** Publishes an analysed record; a store failure comes out as the input's `PublishFailed`. */
export function publishInput(
  { source, record }: Analysed,
  store: Store,
  options: Pick<RunOptions, 'analysis' | 'freshness' | 'warn'>,
): Promise<Published> {
  return step(source, 'publish', () =>
    publishReport(store, record, {
      strikeWindowPct: options.analysis.strikeWindowPct,
      freshness: options.freshness,
      warn: options.warn,
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one pipeline behind the CLI and the Lambda: for each input, load, analyse and publish; one input's
 * failure is recorded and the others go on; then the index is rewritten from the store. Up to `concurrency`
 * inputs are loaded and analysed at once; then each underlying publishes its snapshots one at a time, oldest
 * first, so they never interleave their read-modify-write of its history and `latest`, and each compares
 * with the one before it. Results keep the inputs' order.
 */
export async function run(
  inputs: readonly ChainInput[],
  store: Store,
  options: RunOptions,
  now: () => Date,
): Promise<RunResult> {
  const work = pLimit(Math.max(1, options.concurrency ?? 4));
  const progress = { done: 0, total: inputs.length, failed: 0 };
  const ended = (failed: boolean) => {
    progress.done += 1;
    if (failed) progress.failed += 1;
    options.onProgress?.({ ...progress });
  };
  // analyseInput and publishInput only ever throw RunFailure.
  const analysed = await Promise.all(
    inputs.map((input) =>
      work(async (): Promise<(Analysed | RunFailure)[]> => {
        let outcomes: (Analysed | RunFailure)[];
        try {
          if (input.origin !== 'file' && options.jitterMs) await sleep(Math.random() * options.jitterMs);
          outcomes = await analyseInput(input, options.analysis);
        } catch (e) {
          outcomes = [e as RunFailure];
        }
        // An input counts once per chain it holds.
        progress.total += outcomes.length - 1;
        for (const o of outcomes) if (o instanceof RunFailure) ended(true);
        return outcomes;
      }),
    ),
  );
  // An underlying's snapshots publish oldest first, so each compares with the one before it (§11);
  // different underlyings publish side by side.
  const bySymbol = new Map<string, Analysed[]>();
  for (const a of analysed.flat()) {
    if (a instanceof RunFailure) continue;
    const list = bySymbol.get(a.record.symbol) ?? bySymbol.set(a.record.symbol, []).get(a.record.symbol)!;
    list.push(a);
  }
  const published = new Map<Analysed, ReportRecord | RunFailure>();
  await Promise.all(
    [...bySymbol.values()].map((snapshots) =>
      work(async () => {
        for (const a of snapshots.sort((x, y) => x.record.asOf.localeCompare(y.record.asOf))) {
          try {
            published.set(a, (await publishInput(a, store, options)).record);
            ended(false);
          } catch (e) {
            published.set(a, e as RunFailure);
            ended(true);
          }
        }
      }),
    ),
  );
  const outcomes = analysed.flat().map((a) => (a instanceof RunFailure ? a : published.get(a)!));
  const reports = outcomes.filter((o): o is ReportRecord => !(o instanceof RunFailure));
  const failures = outcomes.filter((o): o is RunFailure => o instanceof RunFailure);
  try {
    return { reports, failures, indexed: await publishIndex(store, now(), options.warn) };
  } catch (e) {
    return { reports, failures, indexed: [], indexFailure: e instanceof Error ? e : new Error(String(e)) };
  }
}
