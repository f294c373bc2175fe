import { SESv2Client } from '@aws-sdk/client-sesv2';
import { RESOURCE_VARIABLES, settingsFromEnv, type Settings } from '../contract';
import type { Envelope } from '../email/send';
import type { AnalysisOptions } from '../gamma/analyse';
import { liveConfigFromEnv, type LiveConfig } from '../live/fetch';
import { S3Store, s3ClientFromEnv } from '../store/s3-store';
import type { Store } from '../store/store';

/** What the handlers are built from: the environment the stack sets, turned into collaborators. */
export interface RuntimeConfig {
  store: Store;
  live: LiveConfig;
  analysis: AnalysisOptions;
  now: () => Date;
  /** The daily email, when a sender and recipients are configured. */
  email?: { client: SESv2Client; envelope: Envelope; siteUrl: string };
}

export function runtimeFromEnv(env: NodeJS.ProcessEnv): RuntimeConfig {
  const bucket = env[RESOURCE_VARIABLES.bucket];
  if (!bucket) throw new Error(`environment variable ${RESOURCE_VARIABLES.bucket} is not set`);
  const settings: Settings = settingsFromEnv(env);
  return {
    store: new S3Store(s3ClientFromEnv(env), bucket),
    live: liveConfigFromEnv(env, settings),
    analysis: {
      positioning: settings.positioning,
      riskFreeRate: settings.riskFreeRate,
      dividendYield: settings.dividendYield,
      strikeWindowPct: settings.strikeWindowPct,
    },
    now: () => new Date(),
    ...emailFromEnv(env),
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
