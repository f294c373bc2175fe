import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Context } from 'aws-lambda';
import { METRICS, RESOURCE_VARIABLES, settingsFromEnv, type Settings } from '../contract';
import type { Envelope } from '../email/send';
import { analysisOptions, type AnalysisOptions } from '../gamma/analyse';
import { freshnessOf, type Freshness } from '../report/screener';
import { liveConfigFromEnv, type LiveConfig } from '../live/fetch';
import { S3Store, s3ClientFromEnv } from '../store/s3-store';
import type { Store } from '../store/store';

/** What the handlers are built from: the environment the stack sets, turned into collaborators. */
export interface RuntimeConfig {
  store: Store;
  /** The runs' private bucket, where the stack names one (the aggregate step reads the map's results there). */
  runs?: Store;
  live: LiveConfig;
  analysis: AnalysisOptions;
  /** How recent a previous report must be for the page and email to compare with it. */
  freshness: Freshness;
  now: () => Date;
  /** The daily email, when a sender and recipients are configured. */
  email?: { client: SESv2Client; envelope: Envelope; siteUrl: string };
  /**
   * Structured logs: one JSON object per line, at the level Lambda sets (AWS_LAMBDA_LOG_LEVEL) or
   * POWERTOOLS_LOG_LEVEL (tests set SILENT).
   */
  logger: Logger;
  /** The run metrics, written as one embedded-metric-format line on stdout. */
  metrics: Metrics;
}

/** Names the functions in their log lines. */
const SERVICE = 'market-gamma-report';

/**
 * Powertools writes through its own console on process.stdout and stderr, not the global console that
 * Lambda's JSON log format wraps inside "message": so each log line and the metric line stay JSON at the top
 * level, where CloudWatch extracts the metrics.
 */
function observability(): Pick<RuntimeConfig, 'logger' | 'metrics'> {
  const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: SERVICE });
  // The alarms select the metrics by the group alone; a CloudWatch metric is named by all its dimensions.
  metrics.clearDefaultDimensions();
  return { logger: new Logger({ serviceName: SERVICE }), metrics };
}

export function runtimeFromEnv(env: NodeJS.ProcessEnv): RuntimeConfig {
  const bucket = env[RESOURCE_VARIABLES.bucket];
  if (!bucket) throw new Error(`environment variable ${RESOURCE_VARIABLES.bucket} is not set`);
  const settings: Settings = settingsFromEnv(env);
  const client = s3ClientFromEnv(env);
  const runs = env[RESOURCE_VARIABLES.runsBucket];
  return {
    store: new S3Store(client, bucket),
    ...(runs ? { runs: new S3Store(client, runs) } : {}),
    live: liveConfigFromEnv(env, settings),
    analysis: analysisOptions(settings),
    freshness: freshnessOf(settings),
    now: () => new Date(),
    ...emailFromEnv(env),
    ...observability(),
  };
}

function emailFromEnv(env: NodeJS.ProcessEnv): Pick<RuntimeConfig, 'email'> {
  const from = env[RESOURCE_VARIABLES.emailFrom] ?? '';
  const to = (env[RESOURCE_VARIABLES.emailTo] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!from || to.length === 0) return {};
  return {
    email: {
      client: new SESv2Client({}),
      envelope: { from, to },
      siteUrl: env[RESOURCE_VARIABLES.siteUrl] ?? '',
    },
  };
}

/**
 * A Lambda entry point around a handler: its collaborators come from the environment on the first invocation
 * and are kept; each invocation's request id and cold start go into its log lines.
 */
export function entryPoint<E, R>(make: (config: RuntimeConfig) => (event: E) => Promise<R>) {
  let live: { config: RuntimeConfig; run: (event: E) => Promise<R> } | undefined;
  return (event: E, context: Context): Promise<R> => {
    if (!live) {
      const config = runtimeFromEnv(process.env);
      live = { config, run: make(config) };
    }
    live.config.logger.addContext(context);
    return live.run(event);
  };
}
