#!/usr/bin/env node
import { readdirSync, statSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
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
import { liveBaseUrls, liveInput, venuePacers, type LiveConfig } from '../lambda/live/fetch';
import { backfill } from '../lambda/backfill';
import { run, type RunResult } from '../lambda/pipeline';
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
import { evidenceSentence, formatTilt, moveText } from '../lambda/report/summary';
import { printable } from '../lambda/errors';
import { FsStore } from '../lambda/store/fs-store';
import type { ChainInput, ReportRecord } from '../lambda/types';
import { tickerSymbol, unservedReason } from '../lambda/venues';
import { parseWatchlist } from '../lambda/watchlist';
import { engines } from '../package.json';

const USAGE = `Usage: gamma-report [options]

Estimates dealer gamma exposure, the gamma flip and key levels from option chains, and writes
<out>/<SYMBOL>/<date>.json and .html, <SYMBOL>/latest.json and latest.html, and <out>/index.html.
With no --file and no --live it analyses the recorded chains bundled in samples/.

Options:
  -f, --file PATH          a recorded chain (Cboe JSON, Cboe CSV download, Deribit JSON or CSV, Bybit,
                           OKX or Binance JSON); repeatable; the format is recognised from the content
  -l, --live SYMBOLS       download live chains, comma-separated: SPX,SPY from Cboe; BTC,ETH as one book
                           across Deribit, Bybit, OKX and Binance; BTC-DERIBIT, ETH-OKX, … one venue alone;
                           SOL_USDC, XRP_USDC, … Deribit's USDC-linear options
                           (base URLs from CBOE_BASE_URL, DERIBIT_BASE_URL, BYBIT_BASE_URL, OKX_BASE_URL
                           and BINANCE_BASE_URL)
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
      --backfill PATH      publish recorded snapshots oldest first, as if the product had run at each:
                           a folder (its .csv, .json, .csv.gz and .json.gz files) or a file; repeatable;
                           snapshots the --out folder already holds are skipped and named
      --replace            with --backfill, publish again the snapshots already held
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

/** A usage or configuration mistake, said in one line: whatever it quotes from the arguments is made printable. */
class UsageError extends Error {
  constructor(message: string) {
    super(printable(message));
  }
}

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
  pacers: LiveConfig['pacers'];
  analysis: AnalysisOptions;
  emailPreview?: string;
  siteUrl?: string;
  json: boolean;
  /** Folders and files to backfill (`--backfill`), and whether to publish again what the store holds. */
  backfill: string[];
  replace: boolean;
  help: boolean;
}

function symbolArg(value: string, flag: string): string {
  const symbol = tickerSymbol(value);
  if (symbol === null) {
    throw new UsageError(
      `${flag}: ${JSON.stringify(value)} is not a ticker symbol (ASCII letters, digits, . _ -)`,
    );
  }
  return symbol;
}

/** Real time zones lie between UTC−12:00 and UTC+14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

/** An ISO 8601 instant, UTC when it names no offset; an offset no zone uses (`+25:00`) is refused. */
function instantArg(value: string, flag: string): number {
  const example = 'e.g. 2023-09-14T20:31:00Z';
  const t = DateTime.fromISO(value, { zone: 'UTC', setZone: true });
  if (!t.isValid)
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not an ISO 8601 instant, ${example}`);
  const offset = /([+-])(\d\d):?(\d\d)$/.exec(value);
  if (
    offset !== null &&
    (Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES || Number(offset[3]) > 59)
  ) {
    throw new UsageError(
      `${flag}: ${JSON.stringify(value)} has the offset ${offset[0]}: real offsets lie between -12:00 and +14:00, ${example}`,
    );
  }
  return t.toMillis();
}

/**
 * The arguments with a negative number given to an option as its own word (`--max-age -1`) joined to it
 * (`--max-age=-1`), so the option's own check says what is wrong with the value instead of the parser calling
 * it ambiguous.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const takesValue = new Set(
    Object.entries(CLI_OPTIONS).flatMap(([name, o]) =>
      o.type === 'string' ? [`--${name}`, ...('short' in o ? [`-${o.short}`] : [])] : [],
    ),
  );
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** The parser's own message in one line, naming the option (`--file: no value given`). */
function parseArgsProblem(e: Error & { code?: string }): string {
  const option = /Option '([^']+?)(?: <value>)?'/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    return `${option}: no value given`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const unknown = /Unknown option '([^']+)'/.exec(e.message)?.[1] ?? e.message;
    return `${JSON.stringify(unknown)} is not an option`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const word = /Unexpected argument '([^']*)'/.exec(e.message)?.[1] ?? e.message;
    return `${JSON.stringify(word)} is not an option: files go after -f, symbols after --live`;
  }
  return e.message.split('\n')[0]!;
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
  backfill: { type: 'string', multiple: true },
  replace: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The flags as `parseArgs` reads them. */
type CliValues = ReturnType<typeof parseArgs<{ options: typeof CLI_OPTIONS; strict: true }>>['values'];

/**
 * `--backfill` and `--replace`: a backfill takes its snapshots from its files alone, so the flags that name
 * other inputs or rename one snapshot, and `--json` (which would hold every record), do not go with it.
 */
function backfillArgs(values: CliValues): Pick<CliOptions, 'backfill' | 'replace'> {
  const backfill = values.backfill ?? [];
  if (values.replace && backfill.length === 0) throw new UsageError('--replace: only with --backfill');
  const others = (['file', 'live', 'watchlist', 'as-of', 'symbol', 'json'] as const).filter(
    (flag) => values[flag] !== undefined,
  );
  if (backfill.length > 0 && others.length > 0) {
    throw new UsageError(
      `--backfill: not with ${others.map((f) => `--${f}`).join(', ')} (a backfill publishes its files' own snapshots)`,
    );
  }
  if (backfill.some((path) => path.trim() === '')) throw new UsageError('--backfill: the path is empty');
  return { backfill, replace: values.replace ?? false };
}

function parseCli(argv: string[], settings: Settings): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv),
      strict: true,
      allowPositionals: false,
      options: CLI_OPTIONS,
    }));
  } catch (e) {
    throw new UsageError(parseArgsProblem(e as Error));
  }
  const options: CliOptions = {
    files: values.file ?? [],
    live: [],
    concurrency: DEFAULT_CONCURRENCY,
    out: values.out ?? 'out',
    freshness: freshnessOf(settings),
    analysis: analysisOptions(settings),
    maxAgeHours: maxAgeLimits(settings),
    // One process: the venue's whole rate (REQUESTS_PER_SECOND_CBOE, …) is shared by its concurrent downloads.
    pacers: venuePacers(settings, 1),
    json: values.json ?? false,
    ...backfillArgs(values),
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
  if (values['as-of'] !== undefined) options.asOf = instantArg(values['as-of'], '--as-of');
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

/** The recorded chains directly in a folder, by name: `.json` and `.csv`, gzipped or not. */
function chainFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.(json|csv)(\.gz)?$/i.test(name))
    .sort()
    .map((name) => join(dir, name));
}

function bundledSamples(): string[] {
  return chainFiles(SAMPLES_DIR);
}

/** The files `--backfill` names: each folder's chain files, each file itself; a usage error for none. */
function backfillFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let folder: boolean;
    try {
      folder = statSync(path).isDirectory();
    } catch (e) {
      throw new UsageError(
        `--backfill: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    if (!folder) return [path];
    const files = chainFiles(path);
    if (files.length === 0)
      throw new UsageError(`--backfill: ${path} holds no .csv, .json, .csv.gz or .json.gz file`);
    return files;
  });
}

function inputs(
  options: CliOptions,
  env: NodeJS.ProcessEnv,
  live: readonly string[],
  warn: (message: string) => void,
): ChainInput[] {
  const overrides = { asOf: options.asOf, symbol: options.symbol };
  const files = options.files.length === 0 && live.length === 0 ? bundledSamples() : options.files;
  const config = {
    ...liveBaseUrls(env),
    maxAgeHours: options.maxAgeHours,
    pacers: options.pacers,
    warn,
  };
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

/**
 * A progress line rewritten in place on a terminal: the stage when there are several, done of total, failures
 * so far, time left (counted from the stage's start).
 */
function progressLine(io: Io) {
  let started = Date.now();
  let current: string | undefined;
  return ({
    done,
    total,
    failed,
    stage,
  }: {
    done: number;
    total: number;
    failed: number;
    stage?: string;
  }) => {
    if (stage !== current) [started, current] = [Date.now(), stage];
    const left = done === 0 ? '' : ` · ${duration(((Date.now() - started) / done) * (total - done))} left`;
    io.stderr(
      `\r\u001b[K[${stage === undefined ? '' : `${stage} `}${done}/${total}] ${failed} failed${left}`,
    );
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

/** The names the daily email preview is written under, in its folder. */
const EMAIL_FILES = ['email.html', 'email.txt', 'subject.txt'] as const;

/**
 * Fails at once, naming the flag, when a folder the run will write cannot be created or written (read-only,
 * a file in the way, under /proc) or one of `files` in it is a folder: a run never analyses and publishes
 * everything only to fail at its last step.
 */
async function checkOutput(dir: string, flag: string, files: readonly string[] = []): Promise<void> {
  try {
    await new FsStore(dir).checkWritable();
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
  for (const name of files) {
    const path = join(dir, name);
    const kind = await stat(path).then(
      (s) => (s.isFile() ? null : 'not a file'),
      (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : e.code),
    );
    if (kind !== null)
      throw new UsageError(
        `${flag}: cannot write ${path}: ${kind === 'not a file' ? 'a folder is in the way' : kind}`,
      );
  }
}

/** Lines for a terminal: each made printable (an echoed argument may hold any character). */
function printer(write: (text: string) => void): (text: string) => void {
  return (text) =>
    write(
      text
        .split('\n')
        .map((line) => printable(line))
        .join('\n'),
    );
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, raw: Io): Promise<number> {
  const io: Io = { ...raw, stdout: printer(raw.stdout), stderr: printer(raw.stderr) };
  let options: CliOptions;
  let live: string[];
  let backfilled: string[];
  const out = () => resolve(options.out);
  try {
    options = parseCli(argv, settingsFromEnv(env));
    if (options.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    live = await liveSymbols(options);
    backfilled = backfillFiles(options.backfill);
    // A folder that cannot be written fails now, not after every chain was analysed.
    await checkOutput(out(), '--out');
    if (options.emailPreview !== undefined) {
      await checkOutput(resolve(options.emailPreview), '--email-preview', EMAIL_FILES);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(e.problems.map((p) => `gamma-report: ${p}\n`).join(''));
      return 2;
    }
    io.stderr(`gamma-report: ${(e as Error).message}\nRun gamma-report --help for usage.\n`);
    return 2;
  }
  // The note is for a person starting a run: not with the usage or a usage error, nor on a --json pipe.
  const notice = options.json ? null : nodeNotice(process.version);
  if (notice !== null) io.stderr(notice);
  const warn = (message: string) => io.stderr(`gamma-report: warning: ${message}\n`);
  const store = new FsStore(out());
  if (backfilled.length > 0) return backfillMain(options, backfilled, store, io, warn);
  const result = await run(
    inputs(options, env, live, warn),
    store,
    {
      analysis: options.analysis,
      freshness: options.freshness,
      warn,
      concurrency: options.concurrency,
      jitterMs: JITTER_MS,
      onProgress: io.stderrIsTTY && !options.json ? progressLine(raw) : undefined,
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
  await emailPreview(options, store, result.indexed, io, warn);
  return failed(result, io);
}

/** With --email-preview, the daily email of what the store lists, written to files. */
async function emailPreview(
  options: CliOptions,
  store: FsStore,
  indexed: RunResult['indexed'],
  io: Io,
  warn: (message: string) => void,
): Promise<void> {
  if (options.emailPreview === undefined || indexed.length === 0) return;
  const dir = resolve(options.emailPreview);
  // The email's HTML inliner (juice) loads only when an email is asked for.
  const { dailyEmail } = await import('../lambda/email/daily');
  const email = await dailyEmail(store, indexed, {
    siteUrl: options.siteUrl ?? pathToFileURL(store.root).href,
    now: new Date(),
    freshness: options.freshness,
    warn,
  });
  // The folder was made and checked before the run.
  const [html, text, subject] = EMAIL_FILES;
  await writeFile(join(dir, html), email.html);
  await writeFile(join(dir, text), email.text);
  await writeFile(join(dir, subject), `${email.subject}\n`);
  (options.json ? io.stderr : io.stdout)(`Email preview: ${join(dir, html)}\n`);
}

/** Each failure on its own line of stderr; the exit status: 1 when anything failed, else 0. */
function failed(result: Pick<RunResult, 'failures' | 'indexFailure'>, io: Io): number {
  for (const f of result.failures) io.stderr(`gamma-report: failed: ${f.message}\n`);
  if (result.indexFailure)
    io.stderr(`gamma-report: failed: the index (stage publish): ${result.indexFailure.message}\n`);
  return result.failures.length > 0 || result.indexFailure ? 1 : 0;
}

/**
 * `--backfill`: the snapshots of the files published oldest first, with a line per underlying (how many, the
 * dates, its evidence in one sentence) and one per snapshot left out.
 */
async function backfillMain(
  options: CliOptions,
  files: readonly string[],
  store: FsStore,
  io: Io,
  warn: (message: string) => void,
): Promise<number> {
  const started = Date.now();
  const result = await backfill(
    files.map((path) => fileInput(path)),
    store,
    {
      analysis: options.analysis,
      freshness: options.freshness,
      warn,
      replace: options.replace,
      concurrency: options.concurrency,
      onProgress: io.stderrIsTTY ? progressLine(io) : undefined,
    },
    () => new Date(),
  );
  const count = [...result.published.values()].reduce((n, p) => n + p.count, 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    `Backfilled ${plural(count, 'snapshot', 'snapshots')} of ${plural(result.published.size, 'underlying', 'underlyings')} from ${plural(files.length, 'file', 'files')} in ${seconds} s; ${result.skipped.length} skipped, ${result.failures.length} failed.`,
  ];
  for (const entry of result.indexed) {
    const p = result.published.get(entry.row.symbol);
    if (p === undefined) continue;
    const sentence = entry.evidence === undefined ? '' : `  ${evidenceSentence(entry.evidence)}`;
    lines.push(`${entry.row.symbol}  ${p.count} published, ${p.first} to ${p.last}.${sentence}`);
  }
  for (const s of result.skipped) lines.push(`skipped: ${s.symbol} ${s.date} (${s.label}): ${s.reason}`);
  if (result.indexed.length > 0) {
    const index = plural(result.indexed.length, 'underlying', 'underlyings');
    lines.push('', `Index (${index}): ${join(store.root, 'index.html')}`);
  }
  io.stdout(`${lines.join('\n')}\n`);
  await emailPreview(options, store, result.indexed, io, warn);
  return failed(result, io);
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
