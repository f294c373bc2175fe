import { format } from 'node:util';

/** One line of a function's log, as CloudWatch Logs receives it. */
export type LogLine = Record<string, unknown>;

type Method = 'trace' | 'debug' | 'info' | 'log' | 'warn' | 'error';
/** The runtime's level for each console method (`console.log` is `console.info`). */
const CONSOLE_LEVELS: Record<Method, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  log: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};
const METHODS = Object.keys(CONSOLE_LEVELS) as Method[];

/**
 * Runs `work` with the console as the Node.js Lambda runtime leaves it under the JSON log format (the
 * function's `LoggingConfig.LogFormat`, as `lib/report-function.ts` sets it): the global console's methods
 * are replaced so each call writes one line `{"timestamp","level","requestId","message"}`, a single string
 * argument kept as the string "message" (aws-lambda-nodejs-runtime-interface-client, src/LogPatch.js,
 * formatJsonMessage). Whatever reaches stdout or stderr (both go to the function's log; Powertools writes
 * warnings and errors to stderr) is captured instead of printed, so a passing test stays quiet,
 * and returned as one parsed object per line; a line that is not JSON fails the test, as it would be
 * unreadable to CloudWatch's JSON parsing.
 */
export async function inLambdaJsonLogs<T>(work: () => Promise<T>): Promise<{ value: T; lines: LogLine[] }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((s) => s.write);
  const saved = METHODS.map((m) => [m, console[m]] as const);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write;
  }
  for (const method of METHODS) {
    console[method] = (...params: unknown[]) => {
      const line = {
        timestamp: new Date().toISOString(),
        level: CONSOLE_LEVELS[method],
        requestId: 'test-request',
        message: params.length === 1 ? params[0] : format(...params),
      };
      process.stdout.write(`${JSON.stringify(line).replace(/\n/g, '\r')}\n`);
    };
  }
  let value: T;
  try {
    value = await work();
  } finally {
    streams.forEach((stream, i) => (stream.write = writes[i]!));
    for (const [method, fn] of saved) console[method] = fn;
  }
  const lines = chunks
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        throw new Error(`a log line is not JSON: ${l}`);
      }
    });
  return { value, lines };
}

/**
 * Whether a log line is a valid CloudWatch embedded-metric-format document at its top level, per the
 * specification's required members: `_aws.Timestamp` (epoch milliseconds), `_aws.CloudWatchMetrics` with a
 * namespace, dimension sets whose every name is a top-level string member, and metric definitions whose
 * every name is a top-level number. Returns what is wrong, or nothing.
 */
export function emfProblems(line: LogLine): string[] {
  const problems: string[] = [];
  const aws = line._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (typeof aws !== 'object' || aws === null) return ['no top-level _aws object'];
  if (!Number.isInteger(aws.Timestamp)) problems.push('_aws.Timestamp is not epoch milliseconds');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, 'no CloudWatchMetrics'];
  for (const d of directives as { Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }[]) {
    if (typeof d.Namespace !== 'string' || d.Namespace === '') problems.push('a directive has no Namespace');
    for (const set of (d.Dimensions ?? []) as unknown[][]) {
      for (const name of set) {
        if (typeof line[name as string] !== 'string')
          problems.push(`dimension ${String(name)} is not a string`);
      }
    }
    if (!Array.isArray(d.Metrics)) problems.push('a directive has no Metrics');
    for (const m of (d.Metrics ?? []) as { Name?: unknown }[]) {
      if (typeof line[m.Name as string] !== 'number') problems.push(`metric ${String(m.Name)} has no number`);
    }
  }
  return problems;
}
