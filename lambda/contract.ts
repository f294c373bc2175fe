/**
 * The contract between the CDK app (`lib/`) and the functions (`lambda/handlers/`), and the one module of
 * `lambda/` that `lib/` imports: every setting that reaches the functions (its context key, environment
 * variable, default and check, defined once), the variables naming the deployed resources, the metric names
 * the alarms read and the names an underlying's failure is recorded under.
 */
import {
  GROUPS,
  RUN_GROUPS,
  tickerSymbol,
  unservedReason,
  VENUE_NAMES,
  VENUES,
  type RunGroup,
  type Venue,
} from './venues';

export { GROUPS, RUN_GROUPS, tickerSymbol, unservedReason, VENUES, type RunGroup };

export const POSITIONINGS = ['classic', 'dealer-short'] as const;
/** Who is assumed to hold which side of the open interest (docs/methodology.md §4). */
export type Positioning = (typeof POSITIONINGS)[number];

/** A value that does not fit its setting; the message says what was expected ("a rate between …"). */
export class SettingError extends Error {}

export interface Setting<T> {
  /** The environment variable the functions read it from. */
  variable: string;
  default: T;
  /** What the setting holds, as a user reads it in the README and in an error. */
  expects: string;
  /** The value from its raw form (a context value, an environment string or a CLI argument). */
  parse(raw: unknown): T;
}

function fail(expects: string): never {
  throw new SettingError(`is not ${expects}`);
}

function numberSetting(variable: string, fallback: number, expects: string, ok: (n: number) => boolean) {
  return {
    variable,
    default: fallback,
    expects,
    parse(raw: unknown): number {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n) || !ok(n)) fail(expects);
      return n;
    },
  } satisfies Setting<number>;
}

const requestRate = (variable: string, fallback: number) =>
  numberSetting(
    variable,
    fallback,
    'a number of requests a second above 0 and at most 50',
    (n) => n > 0 && n <= 50,
  );

const hours = (variable: string, group: RunGroup) =>
  numberSetting(variable, GROUPS[group].maxAgeHours, 'a positive number of hours', (n) => n > 0);

/**
 * The analysis and page settings of a deployment. The same key names the cdk.json context entry and the
 * field of `Settings`; `variable` is how the stack hands it to the functions. The CLI checks its flags with
 * the same `parse`.
 */
export const SETTINGS = {
  positioning: {
    variable: 'POSITIONING',
    default: 'classic' as Positioning,
    expects: `one of ${POSITIONINGS.join(', ')}`,
    parse(raw: unknown): Positioning {
      if (!POSITIONINGS.includes(raw as Positioning)) fail(this.expects);
      return raw as Positioning;
    },
  },
  riskFreeRate: numberSetting('RISK_FREE_RATE', 0, 'a rate between -0.1 and 0.5', (n) => n > -0.1 && n < 0.5),
  dividendYield: numberSetting(
    'DIVIDEND_YIELD',
    0,
    'a yield between -0.1 and 0.5',
    (n) => n > -0.1 && n < 0.5,
  ),
  strikeWindowPct: numberSetting(
    'STRIKE_WINDOW_PCT',
    10,
    'a percentage above 0 and at most 100',
    (n) => n > 0 && n <= 100,
  ),
  maxAgeHoursEquity: hours('MAX_AGE_HOURS_EQUITY', 'equity'),
  maxAgeHoursCrypto: hours('MAX_AGE_HOURS_CRYPTO', 'crypto'),
  /** The page and email compare with the previous report only when it is at most this many sessions older. */
  changeMaxSessionsEquity: numberSetting(
    'CHANGE_MAX_SESSIONS_EQUITY',
    1,
    'a whole number of trading sessions from 0 to 30',
    (n) => Number.isInteger(n) && n >= 0 && n <= 30,
  ),
  /** The same for groups that trade around the clock, in hours. */
  changeMaxAgeHoursCrypto: numberSetting(
    'CHANGE_MAX_AGE_HOURS_CRYPTO',
    36,
    'a positive number of hours',
    (n) => n > 0,
  ),
  /**
   * Requests a second to Cboe from all the run's functions together: each of the map's `maxConcurrency`
   * invocations starts its own at most rate ÷ concurrency a second (lambda/live/pace.ts). 8 a second lets
   * 5,000 names be fetched in about 10½ minutes while staying a small load on Cboe's CDN.
   */
  requestsPerSecondCboe: requestRate('REQUESTS_PER_SECOND_CBOE', 8),
  /**
   * The same for each crypto venue (Deribit, Bybit, OKX), each paced on its own: Deribit's limit for
   * unauthenticated clients is about 20 a second, OKX's option summary 20 per 2 s, Bybit's tickers 10 a second.
   */
  requestsPerSecondCrypto: requestRate('REQUESTS_PER_SECOND_CRYPTO', 5),
};

export type SettingKey = keyof typeof SETTINGS;
export type Settings = { [K in SettingKey]: ReturnType<(typeof SETTINGS)[K]['parse']> };

/** Each group's freshness limit, by the setting that holds it. */
const MAX_AGE_SETTING: Record<RunGroup, SettingKey> = {
  equity: 'maxAgeHoursEquity',
  crypto: 'maxAgeHoursCrypto',
};

/** Each venue's request rate, by the setting of its group that holds it. */
const RATE_SETTING: Record<RunGroup, SettingKey> = {
  equity: 'requestsPerSecondCboe',
  crypto: 'requestsPerSecondCrypto',
};

/** Every venue's request rate shared by all the run's functions, in requests a second. */
export function requestRates(settings: Settings): Record<Venue, number> {
  return Object.fromEntries(
    VENUE_NAMES.map((v) => [v, settings[RATE_SETTING[VENUES[v].group]] as number]),
  ) as Record<Venue, number>;
}

export function maxAgeHours(settings: Settings, group: RunGroup): number {
  return settings[MAX_AGE_SETTING[group]] as number;
}

/** Every group's freshness limit, in hours. */
export function maxAgeLimits(settings: Settings): Record<RunGroup, number> {
  return Object.fromEntries(RUN_GROUPS.map((g) => [g, maxAgeHours(settings, g)])) as Record<RunGroup, number>;
}

/** The environment variable holding a group's freshness limit, for messages. */
export function maxAgeVariable(group: RunGroup): string {
  return SETTINGS[MAX_AGE_SETTING[group]].variable;
}

export const DEFAULT_SETTINGS = Object.fromEntries(
  (Object.keys(SETTINGS) as SettingKey[]).map((key) => [key, SETTINGS[key].default]),
) as Settings;

/**
 * Every setting read through `lookup` (undefined means the default), with one line per bad value. `name` says
 * how the caller's user wrote the key ("context \"riskFreeRate\"", "environment variable RISK_FREE_RATE").
 */
export function readSettings(
  lookup: (key: SettingKey) => unknown,
  name: (key: SettingKey) => string,
): { settings: Settings; problems: string[] } {
  const settings = { ...DEFAULT_SETTINGS } as Record<SettingKey, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const raw = lookup(key);
    if (raw === undefined || raw === '') continue;
    try {
      settings[key] = SETTINGS[key].parse(raw);
    } catch (e) {
      if (!(e instanceof SettingError)) throw e;
      problems.push(`${name(key)}: ${JSON.stringify(raw)} ${e.message}`);
    }
  }
  return { settings: settings as Settings, problems };
}

/** The environment the stack gives the functions for these settings. */
export function settingsEnvironment(settings: Settings): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(SETTINGS) as SettingKey[]).map((key) => [SETTINGS[key].variable, String(settings[key])]),
  );
}

/** A configuration that cannot be used, with every problem on its own line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** The settings as the functions see them; every bad variable is named in one error. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const { settings, problems } = readSettings(
    (key) => env[SETTINGS[key].variable],
    (key) => `environment variable ${SETTINGS[key].variable}`,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** Variables naming what the stack created, set only where a function needs them. */
export const RESOURCE_VARIABLES = {
  /** The report bucket (both functions). */
  bucket: 'BUCKET_NAME',
  /** The runs' own private bucket, where the map writes each batch's results (aggregate). */
  runsBucket: 'RUNS_BUCKET',
  /** The daily email's sender and comma-separated recipients, and the site its links point to (aggregate). */
  emailFrom: 'EMAIL_FROM',
  emailTo: 'EMAIL_TO',
  siteUrl: 'SITE_URL',
  /**
   * How many underlyings the run's map processes at once (the deployment's `maxConcurrency`, set by the stack
   * on the underlying function): each invocation paces its requests to a venue at that venue's rate ÷ this.
   * Unset means 1, one process alone (the CLI).
   */
  concurrency: 'MAX_CONCURRENCY',
} as const;

/** The run metrics the aggregate step emits and the alarms read (docs/methodology.md is silent on these). */
export const METRICS = {
  namespace: 'MarketGammaReport',
  /** Each metric is kept per schedule group. */
  dimension: 'Group',
  /** A run reached its aggregate step: the heartbeat. */
  runsCompleted: 'RunsCompleted',
  /** Underlyings of the run that failed after Step Functions' retries. */
  underlyingFailures: 'UnderlyingFailures',
  /** Daily emails SES refused. */
  emailFailures: 'EmailFailures',
} as const;

/** Where one underlying's run can fail, in order. */
export type Stage = 'read' | 'fetch' | 'validate' | 'analyse' | 'publish';

/**
 * The names a failed underlying ends with, recorded in its batch's results; the aggregate step reads the
 * stage back from the name, and the CLI prints the same one line. A transient one may clear by itself (the
 * HTTP helper has already asked again; the next scheduled run does too).
 */
export const FAILURES = {
  /** 429, 5xx, timeouts and resets, still failing after the HTTP retries. */
  SourceUnavailable: { stage: 'fetch', transient: true },
  /** 403, 404 and other 4xx, or a response over the size limit: asking again gives the same answer. */
  SourceRefused: { stage: 'fetch', transient: false },
  /** A recorded file that cannot be read. */
  ReadFailed: { stage: 'read', transient: false },
  /** The data is malformed, incomplete, out of bounds or stale. */
  InvalidData: { stage: 'validate', transient: false },
  /** A fault in the calculation itself: a bug, never retried. */
  AnalysisFailed: { stage: 'analyse', transient: false },
  /** The store refused a write after the SDK's own retries. */
  PublishFailed: { stage: 'publish', transient: true },
} as const satisfies Record<string, { stage: Stage; transient: boolean }>;

export type FailureName = keyof typeof FAILURES;

export { parseWatchlist } from './watchlist';
export { venueFor } from './venues';
