#!/usr/bin/env node
import { readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DateTime } from 'luxon';
import {
  ConfigError,
  maxAgeLimits,
  RUN_GROUPS,
  SETTINGS,
  SettingError,
  settingsFromEnv,
  type SettingKey,
  type Settings,
} from '../lambda/contract';
import { analysisOptions, type AnalysisOptions } from '../lambda/gamma/analyse';
import { liveBaseUrls, liveInput, type LiveConfig } from '../lambda/live/fetch';
import { run, type RunOptions } from '../lambda/pipeline';
import { fileInput } from '../lambda/readers/detect';
import { reportDate } from '../lambda/record';
import {
  formatPct,
  formatPrice,
  formatSigned,
  formatStrike,
  formatUsd,
  plural,
} from '../lambda/report/format';
import { comparison, freshnessOf, type Freshness } from '../lambda/report/screener';
import { formatTilt, moveText } from '../lambda/report/summary';
import { FsStore } from '../lambda/store/fs-store';
import type { ChainInput, ReportRecord } from '../lambda/types';
import { SYMBOL, unservedReason } from '../lambda/venues';
import { parseWatchlist } from '../lambda/watchlist';
import { engines } from '../package.json';

const USAGE = `Usage: gamma-report [options]

Estimates dealer gamma exposure, the gamma flip and key levels from option chains, and writes
<out>/<SYMBOL>/<date>.json and .html, <SYMBOL>/latest.json and latest.html, and <out>/index.html.
With no --file and no --live it analyses the recorded chains bundled in samples/.

Options:
  -f, --file PATH          a recorded chain (Cboe JSON, Cboe CSV download, Deribit JSON or CSV);
                           repeatable; the format is recognised from the content
  -l, --live SYMBOLS       download live chains, comma-separated: SPX,SPY from Cboe, BTC,ETH from Deribit
                           (base URLs from CBOE_BASE_URL and DERIBIT_BASE_URL)
      --max-age HOURS      refuse a live snapshot older than this (default: 36 for Cboe, 2 for Deribit,
                           or MAX_AGE_HOURS_EQUITY and MAX_AGE_HOURS_CRYPTO); --file is never refused
  -o, --out DIR            output folder (default: ./out)
      --as-of ISO8601      snapshot instant to use instead of the one in the data, e.g. 2023-09-14T20:31:00Z
                           (an instant without an offset is read as UTC)
      --symbol SYM         underlying symbol to use instead of the one derived from the data
      --positioning MODEL  dealer positioning: classic (default; dealers long calls, short puts)
                           or dealer-short (dealers short every option)
      --strike-window PCT  half-width of the GEX-by-strike chart around spot, in percent (default: 10)
  -w, --watchlist FILE     download live chains of the symbols in FILE (one a line, # for comments);
                           with --live, both lists are analysed
      --concurrency N      underlyings downloaded and analysed at once (default: 4); downloads are spread
                           with a random wait of up to 250 ms each, to be polite to the sources
      --email-preview DIR  also write the daily email as DIR/email.html, email.txt and subject.txt
      --site-url URL       where the site is published, for the email's links (default: the --out folder)
      --json               print only a JSON array of the full report records on stdout
  -h, --help               show this help

Exit status: 0 when every chain succeeded, 1 when some failed (the others are still written), 2 for a usage error.`;

/** samples/ beside bin/ (when run from source) and beside dist/ (the bundle). */
const SAMPLES_DIR = join(__dirname, '..', 'samples');
/** Underlyings in flight at once: a handful keeps a long watchlist fast and the sources unhurried. */
const DEFAULT_CONCURRENCY = 4;
/** Longest random wait before each download. */
const JITTER_MS = 250;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: a long run then shows its progress there. @default false */
  stderrIsTTY?: boolean;
}

class UsageError extends Error {}

interface CliOptions {
  files: string[];
  live: string[];
  watchlist?: string;
  concurrency: number;
  out: string;
  freshness: Freshness;
  asOf?: number;
  symbol?: string;
  /** Oldest live snapshot accepted, hours, by schedule group. */
  maxAgeHours: LiveConfig['maxAgeHours'];
  analysis: AnalysisOptions;
  emailPreview?: string;
  siteUrl?: string;
  json: boolean;
  help: boolean;
}

function symbolArg(value: string, flag: string): string {
  const symbol = value.trim().toUpperCase();
  if (!SYMBOL.test(symbol))
    throw new UsageError(`${flag}: "${value}" is not a ticker symbol (letters, digits, . _ -)`);
  return symbol;
}

/** A flag checked by its setting's own rule, so the CLI and a deployment accept the same values. */
function settingArg<K extends SettingKey>(key: K, flag: string, value: string) {
  try {
    return SETTINGS[key].parse(value) as Settings[K];
  } catch (e) {
    if (e instanceof SettingError) throw new UsageError(`${flag}: ${JSON.stringify(value)} ${e.message}`);
    throw e;
  }
}

/** The CLI's options, for `parseArgs`; the help text and the README's table list each one (tests/readme.test.ts). */
export const CLI_OPTIONS = {
  file: { type: 'string', short: 'f', multiple: true },
  live: { type: 'string', short: 'l' },
  watchlist: { type: 'string', short: 'w' },
  concurrency: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'as-of': { type: 'string' },
  symbol: { type: 'string' },
  positioning: { type: 'string' },
  'strike-window': { type: 'string' },
  'max-age': { type: 'string' },
  'email-preview': { type: 'string' },
  'site-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

function parseCli(argv: string[], settings: Settings): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: CLI_OPTIONS,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const options: CliOptions = {
    files: values.file ?? [],
    live: [],
    concurrency: DEFAULT_CONCURRENCY,
    out: values.out ?? 'out',
    freshness: freshnessOf(settings),
    analysis: analysisOptions(settings),
    maxAgeHours: maxAgeLimits(settings),
    json: values.json ?? false,
    help: values.help ?? false,
  };
  if (values.live !== undefined) {
    options.live = values.live.split(',').map((s) => symbolArg(s, '--live'));
    for (const symbol of options.live) {
      const why = unservedReason(symbol);
      if (why !== null) throw new UsageError(`--live: ${why}`);
    }
  }
  if (values.watchlist !== undefined) {
    if (values.watchlist.trim() === '') throw new UsageError('--watchlist: the file name is empty');
    options.watchlist = values.watchlist;
  }
  if (values.concurrency !== undefined) {
    const n = Number(values.concurrency);
    if (!Number.isInteger(n) || n < 1 || n > 32) {
      throw new UsageError(`--concurrency: "${values.concurrency}" is not a whole number from 1 to 32`);
    }
    options.concurrency = n;
  }
  if (values.symbol !== undefined) options.symbol = symbolArg(values.symbol, '--symbol');
  if (values['as-of'] !== undefined) {
    const t = DateTime.fromISO(values['as-of'], { zone: 'UTC' });
    if (!t.isValid) {
      throw new UsageError(
        `--as-of: "${values['as-of']}" is not an ISO 8601 instant, e.g. 2023-09-14T20:31:00Z`,
      );
    }
    options.asOf = t.toMillis();
  }
  if (values.positioning !== undefined) {
    options.analysis.positioning = settingArg('positioning', '--positioning', values.positioning);
  }
  if (values['strike-window'] !== undefined) {
    options.analysis.strikeWindowPct = settingArg(
      'strikeWindowPct',
      '--strike-window',
      values['strike-window'],
    );
  }
  if (values['max-age'] !== undefined) {
    const hours = settingArg('maxAgeHoursEquity', '--max-age', values['max-age']);
    options.maxAgeHours = Object.fromEntries(RUN_GROUPS.map((g) => [g, hours])) as CliOptions['maxAgeHours'];
  }
  if (values['email-preview'] !== undefined) {
    if (values['email-preview'].trim() === '')
      throw new UsageError('--email-preview: the folder name is empty');
    options.emailPreview = values['email-preview'];
  }
  if (values['site-url'] !== undefined) {
    if (!/^https?:\/\/\S+$/.test(values['site-url'])) {
      throw new UsageError(`--site-url: "${values['site-url']}" is not an http(s) URL`);
    }
    options.siteUrl = values['site-url'];
  }
  if (options.out.trim() === '') throw new UsageError('--out: the folder name is empty');
  return options;
}

function bundledSamples(): string[] {
  return readdirSync(SAMPLES_DIR)
    .filter((name) => /\.(json|csv)$/i.test(name))
    .sort()
    .map((name) => join(SAMPLES_DIR, name));
}

function inputs(options: CliOptions, env: NodeJS.ProcessEnv, live: readonly string[]): ChainInput[] {
  const overrides = { asOf: options.asOf, symbol: options.symbol };
  const files = options.files.length === 0 && live.length === 0 ? bundledSamples() : options.files;
  const config = { ...liveBaseUrls(env), maxAgeHours: options.maxAgeHours };
  return [
    ...files.map((path) => fileInput(path, overrides)),
    ...live.map((symbol) => liveInput(symbol, config, () => new Date(), { asOf: options.asOf })),
  ];
}

/** The change since the previous report in a table cell: recent ones in figures, older ones by their age. */
function changeCell(r: ReportRecord, freshness: Freshness): string {
  const judged = comparison(r, r.change, freshness);
  if (r.change === null || judged === null) return '—';
  if (!judged.fresh) return `last report ${judged.age}`;
  const flip = r.change.flip === null ? '' : `, flip ${formatSigned(r.change.flip)}`;
  return `net GEX ${formatUsd(r.change.netGex)}${flip}`;
}

function table(records: readonly ReportRecord[], freshness: Freshness): string {
  const header = [
    'SYMBOL',
    'DATE',
    'SPOT',
    'NET GEX/1%',
    'FLIP (SPOT−FLIP)',
    'REGIME',
    'TILT',
    'CALL WALL',
    'PUT WALL',
    'EXP. MOVE',
    'SINCE PREVIOUS',
  ];
  const rows = [...records]
    .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.asOf.localeCompare(b.asOf))
    .map((r) => {
      const move = moveText(r, 'nextExpiry');
      return [
        r.symbol,
        reportDate(r),
        formatPrice(r.spot),
        formatUsd(r.totals.netGex),
        r.flip.level === null
          ? 'none in range'
          : `${formatPrice(r.flip.level)} (${formatPct(r.flip.distancePct)})`,
        r.regime,
        formatTilt(r.totals.tilt),
        formatStrike(r.levels.callWall),
        formatStrike(r.levels.putWall),
        move === null
          ? '—'
          : `${move.pct} to ${move.expiry.slice(5)}${move.horizon === null ? '' : ` (${move.horizon})`}`,
        changeCell(r, freshness),
      ];
    });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `1m20s`, `45s`: time left in a progress line. */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A progress line rewritten in place on a terminal: done of total, failures so far, time left. */
function progressLine(io: Io): RunOptions['onProgress'] {
  const started = Date.now();
  return ({ done, total, failed }) => {
    const left = done === 0 ? '' : ` · ${duration(((Date.now() - started) / done) * (total - done))} left`;
    io.stderr(`\r\u001b[K[${done}/${total}] ${failed} failed${left}`);
    if (done === total) io.stderr('\r\u001b[K');
  };
}

/** The symbols of --live and --watchlist, each once, or a usage error naming every bad entry. */
async function liveSymbols(options: CliOptions): Promise<string[]> {
  if (options.watchlist === undefined) return options.live;
  let text: string;
  try {
    text = await readFile(options.watchlist, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--watchlist: cannot read ${options.watchlist} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return [...new Set([...options.live, ...parseWatchlist(text, options.watchlist)])];
}

/**
 * A note for a Node.js older than the supported line (package.json `engines`, e.g. `>=22`): the CLI still
 * runs, but that Node gets no security fixes and the AWS SDK stops supporting it. Null on a supported one.
 */
export function nodeNotice(version: string, supported = engines.node): string | null {
  const oldest = Number(/^>=\s*(\d+)/.exec(supported)?.[1]);
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (!(major < oldest)) return null;
  return `gamma-report: note: Node.js ${version} is older than the supported ${oldest} (Node.js ${oldest} or 24 LTS; the deployed functions run 24); continuing\n`;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const notice = nodeNotice(process.version);
  if (notice !== null) io.stderr(notice);
  let options: CliOptions;
  let live: string[];
  const out = () => resolve(options.out);
  try {
    options = parseCli(argv, settingsFromEnv(env));
    if (options.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    live = await liveSymbols(options);
    // A folder that cannot be written fails now, not after every chain was analysed.
    await new FsStore(out())
      .checkWritable()
      .catch((e: unknown) => Promise.reject(new UsageError(`--out: ${(e as Error).message}`)));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(e.problems.map((p) => `gamma-report: ${p}\n`).join(''));
      return 2;
    }
    io.stderr(`gamma-report: ${(e as Error).message}\nRun gamma-report --help for usage.\n`);
    return 2;
  }
  const warn = (message: string) => io.stderr(`gamma-report: warning: ${message}\n`);
  const store = new FsStore(out());
  const result = await run(
    inputs(options, env, live),
    store,
    {
      analysis: options.analysis,
      freshness: options.freshness,
      warn,
      concurrency: options.concurrency,
      jitterMs: JITTER_MS,
      onProgress: io.stderrIsTTY && !options.json ? progressLine(io) : undefined,
    },
    () => new Date(),
  );
  if (options.json) {
    io.stdout(`${JSON.stringify(result.reports)}\n`);
  } else if (result.reports.length > 0) {
    const index = plural(result.indexed.length, 'underlying', 'underlyings');
    io.stdout(
      `${table(result.reports, options.freshness)}\n\nIndex (${index}): ${join(out(), 'index.html')}\n`,
    );
  }
  if (options.emailPreview !== undefined && result.indexed.length > 0) {
    const dir = resolve(options.emailPreview);
    // The email's HTML inliner (juice) loads only when an email is asked for.
    const { dailyEmail } = await import('../lambda/email/daily');
    const email = await dailyEmail(store, result.indexed, {
      siteUrl: options.siteUrl ?? pathToFileURL(out()).href,
      now: new Date(),
      freshness: options.freshness,
      warn,
    });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'email.html'), email.html);
    await writeFile(join(dir, 'email.txt'), email.text);
    await writeFile(join(dir, 'subject.txt'), `${email.subject}\n`);
    (options.json ? io.stderr : io.stdout)(`Email preview: ${join(dir, 'email.html')}\n`);
  }
  for (const f of result.failures) io.stderr(`gamma-report: failed: ${f.message}\n`);
  if (result.indexFailure)
    io.stderr(`gamma-report: failed: the index (stage publish): ${result.indexFailure.message}\n`);
  return result.failures.length > 0 || result.indexFailure ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`gamma-report: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
