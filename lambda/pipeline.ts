import { RunFailure, type FailureName, type SourceName } from './failure';
import { analyse, type AnalysisOptions } from './gamma/analyse';
import { publishIndex, publishReport, type Published } from './publish';
import { InputError } from './sources/errors';
import { FetchError } from './sources/http';
import type { IndexEntry } from './report/render';
import type { Store } from './store/store';
import type { OptionChain, ReportRecord } from './types';

/** One chain to analyse: a recorded file or a live symbol, loaded only when its turn comes. */
export interface ChainInput {
  /** The file path or symbol, used to name a failure. */
  label: string;
  source: SourceName;
  load(): Promise<OptionChain>;
}

export interface RunOptions {
  analysis: AnalysisOptions;
  /** Half-width of the GEX-by-strike chart around spot, in percent. */
  strikeWindowPct?: number;
  /** Inputs loaded and analysed at once (downloads and file reads overlap). @default 4 */
  concurrency?: number;
}

export interface RunResult {
  reports: ReportRecord[];
  failures: RunFailure[];
  /** The latest record and history of every underlying listed on the index page after the run. */
  indexed: IndexEntry[];
}

/** Names an error raised while the pipeline was at `step`, by what it is rather than where it came from. */
function failureName(step: 'load' | 'analyse' | 'publish', error: unknown): FailureName {
  if (error instanceof FetchError) return error.transient ? 'SourceUnavailable' : 'SourceRefused';
  if (error instanceof InputError) return 'InvalidData';
  return step === 'load' ? 'ReadFailed' : step === 'analyse' ? 'AnalysisFailed' : 'PublishFailed';
}

async function step<T>(
  input: ChainInput,
  at: 'load' | 'analyse' | 'publish',
  work: () => T | Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    throw new RunFailure(failureName(at, error), input.label, input.source, error);
  }
}

/** Loads (reads or fetches, then validates) and analyses one input; a failure names its stage. */
export async function prepare(input: ChainInput, analysis: AnalysisOptions): Promise<ReportRecord> {
  const chain = await step(input, 'load', () => input.load());
  return step(input, 'analyse', () => analyse(chain, analysis));
}

/** Publishes a prepared record; a store failure comes out as the input's `PublishFailed`. */
export function publish(
  input: ChainInput,
  store: Store,
  record: ReportRecord,
  options: Pick<RunOptions, 'strikeWindowPct'>,
): Promise<Published> {
  return step(input, 'publish', () =>
    publishReport(store, record, { strikeWindowPct: options.strikeWindowPct }),
  );
}

/**
 * The one pipeline behind the CLI and the Lambda: for each input, load, analyse and publish; one input's
 * failure is recorded and the others go on; then the index page is rewritten from the store. Up to
 * `concurrency` inputs are in flight; publishing is one at a time, so two snapshots of the same underlying
 * never interleave their read-modify-write of its history and `latest`. Results keep the inputs' order.
 */
export async function run(
  inputs: readonly ChainInput[],
  store: Store,
  options: RunOptions,
  now: () => Date,
): Promise<RunResult> {
  const outcomes: ({ record: ReportRecord } | { failure: RunFailure })[] = new Array(inputs.length);
  let publishing: Promise<unknown> = Promise.resolve();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) {
      const input = inputs[i]!;
      try {
        const record = await prepare(input, options.analysis);
        const published = publishing.then(() => publish(input, store, record, options));
        publishing = published.catch(() => undefined);
        await published;
        outcomes[i] = { record };
      } catch (e) {
        // prepare and publish only ever throw RunFailure.
        outcomes[i] = { failure: e as RunFailure };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, inputs.length)) }, worker),
  );
  const reports = outcomes.flatMap((o) => ('record' in o ? [o.record] : []));
  const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
  const indexed = await publishIndex(store, now());
  return { reports, failures, indexed };
}
