import { analyse, type AnalysisOptions } from './gamma/analyse';
import { publishIndex, publishReport } from './publish';
import type { Store } from './store/store';
import type { OptionChain, ReportRecord } from './types';

/** One chain to analyse: a recorded file or a live symbol, loaded only when its turn comes. */
export interface ChainInput {
  /** The file path or symbol, used to name a failure. */
  label: string;
  load(): Promise<OptionChain>;
}

export interface Failure {
  label: string;
  error: Error;
}

export interface RunOptions {
  analysis: AnalysisOptions;
  /** Half-width of the GEX-by-strike chart around spot, in percent. */
  strikeWindowPct?: number;
}

export interface RunResult {
  reports: ReportRecord[];
  failures: Failure[];
  /** Underlyings listed on the index page after the run. */
  indexed: number;
}

/**
 * The one pipeline behind the CLI and the Lambda: for each input, load, analyse and publish; one input's
 * failure is recorded and the others go on; then the index page is rewritten from the store.
 */
export async function run(
  inputs: readonly ChainInput[],
  store: Store,
  options: RunOptions,
  now: () => Date,
): Promise<RunResult> {
  const reports: ReportRecord[] = [];
  const failures: Failure[] = [];
  for (const input of inputs) {
    try {
      const record = analyse(await input.load(), options.analysis);
      await publishReport(store, record, { strikeWindowPct: options.strikeWindowPct });
      reports.push(record);
    } catch (e) {
      failures.push({ label: input.label, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  const indexed = await publishIndex(store, now());
  return { reports, failures, indexed };
}
