import { publishIndex } from '../publish';
import type { RuntimeConfig } from './config';
import { runtimeFromEnv } from './config';
import { composeEmail } from '../email/compose';
import { sendEmail } from '../email/send';
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
    const entries = await publishIndex(config.store, config.now());
    // The email goes after publishing and its failure never undoes or blocks it: logged, counted, alarmed.
    let email: 'sent' | 'failed' | 'off' = 'off';
    if (config.email && entries.length > 0) {
      try {
        const message = composeEmail(entries, config.email.siteUrl, config.now());
        const id = await sendEmail(config.email.client, config.email.envelope, message);
        console.log(
          JSON.stringify({ level: 'info', message: 'email sent', messageId: id, subject: message.subject }),
        );
        email = 'sent';
      } catch (e) {
        const err = e as Error;
        console.log(
          JSON.stringify({ level: 'error', message: 'email failed', error: err.name, cause: err.message }),
        );
        email = 'failed';
      }
    }
    const summary = {
      group: event.group,
      published: results.filter((r) => r.status === 'published').map((r) => r.symbol),
      skipped: results.filter((r) => r.status === 'skipped').map((r) => r.symbol),
      failed: failed.map((f) => f.symbol),
      indexed: entries.length,
      email,
    };
    console.log(
      JSON.stringify({ level: failed.length ? 'warn' : 'info', message: 'run finished', ...summary }),
    );
    const emailFailures = email === 'failed' ? 1 : 0;
    const metrics = { RunsCompleted: 1, UnderlyingFailures: failed.length, EmailFailures: emailFailures };
    console.log(metricLine(event.group, metrics, config.now()));
    return summary;
  };
}

let live: ReturnType<typeof aggregateHandler> | undefined;
/** The Lambda entry point: collaborators from the environment, built on the first invocation. */
export const handler = (event: AggregateEvent) =>
  (live ??= aggregateHandler(runtimeFromEnv(process.env)))(event);
