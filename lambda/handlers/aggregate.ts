import { publishIndex } from '../publish';
import type { RuntimeConfig } from './config';
import { runtimeFromEnv } from './config';
import { metricLine } from '../metrics';
import type { UnderlyingResult } from './underlying';

/** What the map hands on: each underlying's result, or the error Step Functions caught for it. */
export type MapOutcome =
  UnderlyingResult | { symbol: string; status: 'failed'; error: { Error?: string; Cause?: string } };

export interface AggregateEvent {
  group: string;
  results: MapOutcome[];
}

/**
 * Once per run, after the map: rewrite the index from the latest records in the bucket, log one line per
 * failed underlying, and emit the run's metrics (runs completed for the heartbeat, underlyings failed).
 */
export function aggregateHandler(config: RuntimeConfig) {
  return async (event: AggregateEvent) => {
    const results = event.results ?? [];
    const failed = results.filter(
      (r): r is Extract<MapOutcome, { status: 'failed' }> => r.status === 'failed',
    );
    for (const f of failed) {
      console.log(
        JSON.stringify({
          level: 'error',
          message: 'underlying failed',
          group: event.group,
          symbol: f.symbol,
          error: f.error.Error,
          cause: f.error.Cause,
        }),
      );
    }
    const indexed = await publishIndex(config.store, config.now());
    const summary = {
      group: event.group,
      published: results.filter((r) => r.status === 'published').map((r) => r.symbol),
      skipped: results.filter((r) => r.status === 'skipped').map((r) => r.symbol),
      failed: failed.map((f) => f.symbol),
      indexed,
    };
    console.log(
      JSON.stringify({ level: failed.length ? 'warn' : 'info', message: 'run finished', ...summary }),
    );
    console.log(
      metricLine(event.group, { RunsCompleted: 1, UnderlyingFailures: failed.length }, config.now()),
    );
    return summary;
  };
}

let live: ReturnType<typeof aggregateHandler> | undefined;
/** The Lambda entry point: collaborators from the environment, built on the first invocation. */
export const handler = (event: AggregateEvent) =>
  (live ??= aggregateHandler(runtimeFromEnv(process.env)))(event);
