import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Envelope } from '../email/send';
import { numberVar } from '../env';
import { DEFAULT_ANALYSIS, type AnalysisOptions } from '../gamma/analyse';
import { DEFAULT_STRIKE_WINDOW_PCT } from '../report/render';
import { liveConfigFromEnv, type LiveConfig } from '../sources/live';
import { S3Store, s3ClientFromEnv } from '../store/s3-store';
import type { Store } from '../store/store';
import type { Positioning } from '../types';

/** What the handlers are built from: the environment the stack sets, turned into collaborators. */
export interface RuntimeConfig {
  store: Store;
  live: LiveConfig;
  analysis: AnalysisOptions;
  strikeWindowPct: number;
  now: () => Date;
  /** The daily email, when a sender and recipients are configured. */
  email?: { client: SESv2Client; envelope: Envelope; siteUrl: string };
}

export function runtimeFromEnv(env: NodeJS.ProcessEnv): RuntimeConfig {
  const bucket = env.BUCKET_NAME;
  if (!bucket) throw new Error('environment variable BUCKET_NAME is not set');
  const positioning = (env.POSITIONING || DEFAULT_ANALYSIS.positioning) as Positioning;
  if (positioning !== 'classic' && positioning !== 'dealer-short') {
    throw new Error(`environment variable POSITIONING="${positioning}" is not classic or dealer-short`);
  }
  return {
    store: new S3Store(s3ClientFromEnv(env), bucket),
    live: liveConfigFromEnv(env),
    analysis: {
      positioning,
      riskFreeRate: numberVar(env, 'RISK_FREE_RATE', DEFAULT_ANALYSIS.riskFreeRate),
      dividendYield: numberVar(env, 'DIVIDEND_YIELD', DEFAULT_ANALYSIS.dividendYield),
    },
    strikeWindowPct: numberVar(env, 'STRIKE_WINDOW_PCT', DEFAULT_STRIKE_WINDOW_PCT),
    now: () => new Date(),
    ...emailFromEnv(env),
  };
}

function emailFromEnv(env: NodeJS.ProcessEnv): Pick<RuntimeConfig, 'email'> {
  const from = env.EMAIL_FROM ?? '';
  const to = (env.EMAIL_TO ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!from || to.length === 0) return {};
  return { email: { client: new SESv2Client({}), envelope: { from, to }, siteUrl: env.SITE_URL ?? '' } };
}
