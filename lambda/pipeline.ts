import pLimit from 'p-limit';
import type { FailureName } from './contract';
import { InputError } from './errors';
import { RunFailure } from './failure';
import { analyse, type AnalysisOptions } from './gamma/analyse';
import { FetchError } from './live/http';
import { publishIndex, publishReport, type IndexEntry, type Published } from './publish';
import type { Store } from './store/store';
import type { ChainInput, ReportRecord } from './types';

export interface RunOptions {
  /** What to compute, the strike window of the grid and the pages included. */
  analysis: AnalysisOptions;
  /** Inputs loaded and analysed at once (downloads and file reads overlap). @default 4 */
  concurrency?: number;
}

export interface RunResult {
  reports: ReportRecord[];
  failures: RunFailure[];
  /** The latest record and history of every underlying listed on the index page after the run. */
  indexed: IndexEntry[];
}

type Step = 'load' | 'analyse' | 'publish';

/** Names an error raised while the pipeline was at `step`, by what it is rather than where it came from. */
function failureName(step: Step, error: unknown): FailureName {
  if (error instanceof FetchError) return error.transient ? 'SourceUnavailable' : 'SourceRefused';
  if (error instanceof InputError) return 'InvalidData';
  return step === 'load' ? 'ReadFailed' : step === 'analyse' ? 'AnalysisFailed' : 'PublishFailed';
}

async function step<T>(input: ChainInput, at: Step, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    throw new RunFailure(failureName(at, error), input.label, input.origin, error);
  }
}

/** Loads (reads or fetches, then validates) and analyses one input; a failure names its stage. */
export async function analyseInput(input: ChainInput, analysis: AnalysisOptions): Promise<ReportRecord> {
  const chain = await step(input, 'load', () => input.load());
  return step(input, 'analyse', () => analyse(chain, analysis));
}

/** Publishes an analysed record; a store failure comes out as the input's `PublishFailed`. */
export function publishInput(
  input: ChainInput,
  store: Store,
  record: ReportRecord,
  analysis: Pick<AnalysisOptions, 'strikeWindowPct'>,
): Promise<Published> {
  return step(input, 'publish', () =>
    publishReport(store, record, { strikeWindowPct: analysis.strikeWindowPct }),
  );
}

/**
 * The one pipeline behind the CLI and the Lambda: for each input, load, analyse and publish; one input's
 * failure is recorded and the others go on; then the index page is rewritten from the store. Up to
 * `concurrency` inputs are loaded and analysed at once; publishing is one at a time, so two snapshots of the
 * same underlying never interleave their read-modify-write of its history and `latest`. Results keep the
 * inputs' order.
 */
export async function run(
  inputs: readonly ChainInput[],
  store: Store,
  options: RunOptions,
  now: () => Date,
): Promise<RunResult> {
  const work = pLimit(Math.max(1, options.concurrency ?? 4));
  const publishing = pLimit(1);
  const outcomes = await Promise.all(
    inputs.map((input) =>
      work(async (): Promise<{ record: ReportRecord } | { failure: RunFailure }> => {
        try {
          const record = await analyseInput(input, options.analysis);
          await publishing(() => publishInput(input, store, record, options.analysis));
          return { record };
        } catch (e) {
          // analyseInput and publishInput only ever throw RunFailure.
          return { failure: e as RunFailure };
        }
      }),
    ),
  );
  const reports = outcomes.flatMap((o) => ('record' in o ? [o.record] : []));
  const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
  const indexed = await publishIndex(store, now());
  return { reports, failures, indexed };
}
