import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { publishIndex } from '../publish';
import { entryPoint, type RuntimeConfig } from './config';
import { sendEmail } from '../email/send';
import { FAILURES, METRICS, RESOURCE_VARIABLES, type FailureName } from '../contract';
import { venueFor } from '../venues';
import { readMapResults, type MapOutcome } from './map-results';

/** What the state machine hands the aggregate step: the group, and where the map's results are. */
export interface AggregateEvent {
  group: string;
  /** The runs bucket's key of the map's result manifest (`results/<map run id>/manifest.json`). */
  manifest: string;
}

/** A run's outcome: its group and what became of each underlying. */
export interface RunOutcome {
  group: string;
  results: MapOutcome[];
}

/**
 * What the run's "underlying failed" line says of one failed underlying: which, from which venue, at which
 * stage, under which name. The stage comes from the name; a failure outside the product's code (a Lambda
 * timeout or crash) is `lambda`. The cause itself is in the underlying function's own "underlying failed" line.
 */
function failureFields(group: string, f: Extract<MapOutcome, { status: 'failed' }>) {
  const name = f.error;
  const known = Object.hasOwn(FAILURES, name) ? FAILURES[name as FailureName] : undefined;
  return { group, symbol: f.symbol, venue: venueFor(f.symbol), stage: known?.stage ?? 'lambda', error: name };
}

/**
 * Once per run, after the map: rewrite the index from the latest records in the bucket, log one line per
 * failed underlying, and emit the run's metrics (runs completed for the heartbeat, underlyings failed,
 * emails not sent), all three every run so a quiet day reads 0, not missing.
 */
export function finishRun(config: RuntimeConfig) {
  const { logger, metrics } = config;
  return async (event: RunOutcome) => {
    const results = event.results ?? [];
    const failed = results.filter(
      (r): r is Extract<MapOutcome, { status: 'failed' }> => r.status === 'failed',
    );
    for (const f of failed) logger.error('underlying failed', failureFields(event.group, f));
    const warn = (message: string) => logger.warn(message);
    const entries = await publishIndex(config.store, config.now(), warn);
    // The email goes after publishing and its failure never undoes or blocks it: logged, counted, alarmed.
    let email: 'sent' | 'failed' | 'off' = 'off';
    if (config.email && entries.length > 0) {
      try {
        // The email's HTML inliner (juice) loads only in a deployment that sends one.
        const { dailyEmail } = await import('../email/daily');
        const message = await dailyEmail(config.store, entries, {
          siteUrl: config.email.siteUrl,
          now: config.now(),
          freshness: config.freshness,
          warn,
        });
        const id = await sendEmail(config.email.client, config.email.envelope, message);
        logger.info('email sent', { messageId: id, subject: message.subject });
        email = 'sent';
      } catch (e) {
        const err = e as Error;
        logger.error('email failed', { error: err.name, cause: err.message });
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
    logger[failed.length ? 'warn' : 'info']('run finished', summary);
    metrics.addDimension(METRICS.dimension, event.group);
    metrics.addMetric(METRICS.runsCompleted, MetricUnit.Count, 1);
    metrics.addMetric(METRICS.underlyingFailures, MetricUnit.Count, failed.length);
    metrics.addMetric(METRICS.emailFailures, MetricUnit.Count, email === 'failed' ? 1 : 0);
    metrics.publishStoredMetrics();
    return summary;
  };
}

/** The aggregate step: the run's outcome read from the map's results in the runs bucket, then finished. */
export function aggregateHandler(config: RuntimeConfig) {
  const finish = finishRun(config);
  return async (event: AggregateEvent) => {
    if (!config.runs) throw new Error(`environment variable ${RESOURCE_VARIABLES.runsBucket} is not set`);
    return finish({ group: event.group, results: await readMapResults(config.runs, event.manifest) });
  };
}

/** The Lambda entry point. */
export const handler = entryPoint(aggregateHandler);
