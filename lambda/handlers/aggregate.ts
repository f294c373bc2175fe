import { publishIndex } from '../publish';
import type { RuntimeConfig } from './config';
import { runtimeFromEnv } from './config';
import { composeEmail } from '../email/compose';
import { sendEmail } from '../email/send';
import { FAILURES, METRICS, type FailureName } from '../contract';
import { venueFor } from '../venues';
import type { UnderlyingResult } from './underlying';

/** What the map hands on: each underlying's result, or the error Step Functions caught for it. */
export type MapOutcome =
  UnderlyingResult | { symbol: string; status: 'failed'; error: { Error?: string; Cause?: string } };

export interface AggregateEvent {
  group: string;
  results: MapOutcome[];
}

/**
 * The message Lambda put in a caught error's Cause (`{"errorType","errorMessage",…}`), or the Cause as it is
 * (a Step Functions timeout says it in plain text).
 */
function causeMessage(cause: string | undefined): string {
  try {
    const parsed = JSON.parse(cause ?? '') as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: use the text.
  }
  return cause ?? '';
}

/**
 * One line per failed underlying: which, from which source, at which stage, and why. The stage comes
 * from the failure's name; a failure outside the product's code (a Lambda timeout or crash) is `lambda`.
 */
export function failureLine(group: string, f: Extract<MapOutcome, { status: 'failed' }>) {
  const name = f.error.Error ?? 'Unknown';
  const known = Object.hasOwn(FAILURES, name) ? FAILURES[name as FailureName] : undefined;
  return {
    level: 'error',
    message: 'underlying failed',
    group,
    symbol: f.symbol,
    venue: venueFor(f.symbol),
    stage: known?.stage ?? 'lambda',
    error: name,
    cause: causeMessage(f.error.Cause),
  };
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
    for (const f of failed) console.log(JSON.stringify(failureLine(event.group, f)));
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
    const metrics = {
      [METRICS.runsCompleted]: 1,
      [METRICS.underlyingFailures]: failed.length,
      [METRICS.emailFailures]: emailFailures,
    };
    console.log(metricLine(event.group, metrics, config.now()));
    return summary;
  };
}

/** A CloudWatch Embedded Metric Format line: Lambda's log pipeline turns it into metrics, no API call. */
export function metricLine(group: string, metrics: Record<string, number>, at: Date): string {
  return JSON.stringify({
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS.namespace,
          Dimensions: [[METRICS.dimension]],
          Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    [METRICS.dimension]: group,
    ...metrics,
  });
}

let live: ReturnType<typeof aggregateHandler> | undefined;
/** The Lambda entry point: collaborators from the environment, built on the first invocation. */
export const handler = (event: AggregateEvent) =>
  (live ??= aggregateHandler(runtimeFromEnv(process.env)))(event);
