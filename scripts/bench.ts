/**
 * `npm run bench`: every performance figure beside its target, measured in one run on this machine
 * (docs/performance.md). Medians with their spread (min–max); MISSED marks a missed target, which is a
 * finding, not a crash: the bench exits 0 when it runs to completion, and 1 with `-- --check` if anything
 * was missed. Nothing here is a test.
 *
 * Sections: the stages warm (parse, analyse, render); the whole CLI cold on the largest chain against an
 * independent numpy process (scripts/reference.py) in the same run, with peak memory; where a cold CLI
 * process spends its time; cost against chain size; the Lambda bundles; a 300-underlying watchlist against
 * a loopback server; the backfill of the bundled 42-day BTC and ETH series.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../lambda/backfill';
import { analyse, analysisOptions, DEFAULT_ANALYSIS } from '../lambda/gamma/analyse';
import { publishReport } from '../lambda/publish';
import { fileInput, parseChainText } from '../lambda/readers/detect';
import { renderReportPage } from '../lambda/report/render';
import { FsStore } from '../lambda/store/fs-store';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { settingsFromEnv } from '../lambda/contract';
import { DEPLOYMENT_DEFAULTS, UNDERLYING_MEMORY_MB } from '../lib/config';
import { finishRun } from '../lambda/handlers/aggregate';
import type { RuntimeConfig } from '../lambda/handlers/config';
import { underlyingHandler, type UnderlyingResult } from '../lambda/handlers/underlying';
import { liveConfigFromEnv } from '../lambda/live/fetch';
import { freshnessOf } from '../lambda/report/screener';
import type { OptionChain } from '../lambda/types';
import { screenerPage } from './screener-bench';

// Bundled into dist/bench.js: the project root is one level up from there.
const ROOT = join(__dirname, '..');
const SAMPLES = join(ROOT, 'samples');
const SPX = 'cboe_SPX_2023-09-14.csv';
const SPY = 'cboe_SPY_2025-06-06.json';
const CLI = join(ROOT, 'dist', 'gamma-report.js');
const RSS = join(ROOT, 'scripts', 'rss.cjs');
const SERIES = join(SAMPLES, 'series', 'deribit');

interface Stats {
  median: number;
  min: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

function time<T>(runs: number, f: () => T): Stats {
  f(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    f();
    samples.push(now() - start);
  }
  return stats(samples);
}

const rows: string[][] = [];
function row(what: string, figure: string, target = '', ok?: boolean) {
  rows.push([what, figure, target, ok === undefined ? '' : ok ? 'ok' : 'MISSED']);
}
function heading(text: string) {
  rows.push([`— ${text}`, '', '', '']);
}
const ms = (s: Stats) => `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** Python run under this wrapper reports its peak RSS on exit, as scripts/rss.cjs does for Node. */
const PY_RSS = [
  'import atexit, resource, runpy, sys',
  "atexit.register(lambda: sys.stderr.write('\\nmaxrss-kb %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))",
  'sys.argv = sys.argv[1:]',
  "runpy.run_path(sys.argv[0], run_name='__main__')",
].join('\n');

/** A process's wall time and peak RSS (kB): Node with scripts/rss.cjs preloaded, Python under PY_RSS. */
function measure(command: 'node' | 'python3', args: string[]) {
  const argv = command === 'node' ? ['--require', RSS, ...args] : ['-c', PY_RSS, ...args];
  const start = now();
  const p = spawnSync(command === 'node' ? process.execPath : 'python3', argv, { encoding: 'utf8' });
  const wall = now() - start;
  if (p.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${p.stderr}`);
  return { wall, rssKb: Number(/maxrss-kb (\d+)/.exec(p.stderr)![1]), stdout: p.stdout };
}

/** How long `require` of a bundle takes in a fresh process, over `runs` processes. */
function loadTime(bundle: string, runs: number): Stats {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  return stats(
    Array.from({ length: runs }, () =>
      Number(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout.trim()),
    ),
  );
}

/** The warm stages on the bundled chains. */
function stages() {
  heading('stages, warm (median of repeated runs after one warm-up)');
  const targets: Record<string, { parse?: number; analyse?: number }> = {
    [SPX]: { parse: 40, analyse: 60 },
    [SPY]: { parse: 30 },
  };
  for (const name of [SPX, SPY, 'deribit_BTC_2026-03-13.json']) {
    const text = readFileSync(join(SAMPLES, name), 'utf8');
    const chain = parseChainText(text, { origin: name });
    const record = analyse(chain);
    const parse = time(15, () => parseChainText(text, { origin: name }));
    const analysis = time(15, () => analyse(chain));
    const render = time(9, () => renderReportPage(record));
    const t = targets[name] ?? {};
    const check = (s: Stats, limit?: number) => (limit === undefined ? undefined : s.median <= limit);
    row(
      `parse ${name} (${chain.contracts.length} contracts)`,
      ms(parse),
      t.parse ? `≤ ${t.parse} ms` : '',
      check(parse, t.parse),
    );
    row(`analyse ${name}`, ms(analysis), t.analyse ? `≤ ${t.analyse} ms` : '', check(analysis, t.analyse));
    row(`render page ${name}`, ms(render));
  }
}

/** The whole CLI, cold, against the numpy reference process, alternating so both see the same machine. */
function wholeProcess() {
  heading('whole process, cold, on the SPX chain (19,920 contracts, 201 profile levels)');
  const file = join(SAMPLES, SPX);
  const cli: number[] = [];
  const py: number[] = [];
  const rss: number[] = [];
  let pyRss = 0;
  const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  for (let i = 0; i < 9; i++) {
    const out = mkdtempSync(join(tmpdir(), 'gamma-bench-'));
    const c = measure('node', [CLI, '--file', file, '--json', '--out', out]);
    rmSync(out, { recursive: true, force: true });
    cli.push(c.wall);
    rss.push(c.rssKb);
    if (numpy) {
      const p = measure('python3', [join(ROOT, 'scripts', 'reference.py'), file]);
      py.push(p.wall);
      pyRss = Math.max(pyRss, p.rssKb);
    }
  }
  const c = stats(cli);
  row('CLI --json, start to exit (writes pages too)', ms(c), '≤ 450 ms median', c.median <= 450);
  row('CLI peak RSS', mb(Math.max(...rss)), '≤ 250 MB', Math.max(...rss) <= 250 * 1024);
  if (numpy) {
    const p = stats(py);
    row('numpy reference (read, all Greeks, profile, flip, levels)', ms(p));
    row('numpy reference peak RSS', mb(pyRss));
    const ratio = c.median / p.median;
    row('CLI ÷ numpy, medians of the same run', `× ${ratio.toFixed(2)}`, '≤ × 0.5', ratio <= 0.5);
  } else {
    row('numpy reference', 'not run: python3 has no numpy');
  }
}

/**
 * Where a cold CLI process spends its time: Node's own start, loading the CLI bundle, and each stage the
 * first time it runs (in a fresh process: `dist/bench.js --stages`).
 */
function coldStages() {
  heading('where a cold CLI process spends its time (one fresh process each, median of 5)');
  const startup = stats(Array.from({ length: 5 }, () => measure('node', ['-e', '0']).wall));
  const load = loadTime(CLI, 5);
  row('Node start (node -e 0)', ms(startup));
  row('CLI bundle load (require)', ms(load));
  const runs = Array.from({ length: 5 }, () => {
    const p = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench.js'), '--stages'], { encoding: 'utf8' });
    return JSON.parse(p.stdout) as Record<string, number>;
  });
  for (const stage of Object.keys(runs[0]!)) row(`  ${stage}`, ms(stats(runs.map((r) => r[stage]!))));
}

/** Run in a fresh process (`--stages`): each stage of one CLI run, cold, as JSON on stdout. */
async function measureColdStages() {
  const out = mkdtempSync(join(tmpdir(), 'gamma-stages-'));
  const t: Record<string, number> = {};
  let mark = now();
  const lap = (name: string) => {
    const at = now();
    t[name] = at - mark;
    mark = at;
  };
  const text = readFileSync(join(SAMPLES, SPX), 'utf8');
  lap('read the file');
  const chain = parseChainText(text, { origin: SPX });
  lap('parse and check');
  const record = analyse(chain);
  lap('analyse (Greeks, profile, flip, levels)');
  renderReportPage(record);
  lap('render the page (first: templates compile)');
  await publishReport(new FsStore(out), record);
  lap('publish (render again, write 11 files)');
  rmSync(out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(t));
}

/** The SPX chain's contracts k times over (as other roots), for cost against size. */
function repeated(chain: OptionChain, k: number): OptionChain {
  const contracts = [];
  for (let i = 0; i < k; i++)
    for (const c of chain.contracts) contracts.push({ ...c, root: `${c.root}${i}` });
  return { ...chain, contracts };
}

/** The SPX CSV's rows k times over: each copy's option roots renamed, so no contract repeats. */
function repeatedCsv(text: string, k: number): string {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.startsWith('Expiration Date,'));
  const body = lines.slice(header + 1).filter((l) => l.trim() !== '');
  const copies = Array.from({ length: k }, (_, i) =>
    body.map((l) =>
      l.replace(
        /SPXW?(?=\d{6}[CP])/g,
        (root) =>
          `${root.slice(0, 4)}${String.fromCharCode(65 + (i % 26))}${i >= 26 ? String.fromCharCode(65 + Math.floor(i / 26)) : ''}`,
      ),
    ),
  );
  return [...lines.slice(0, header + 1), ...copies.flat()].join('\n');
}

/** Run in a fresh process (`--scale k`): read + analyse of k copies of the SPX chain, time and peak RSS. */
function measureScale(k: number) {
  const text = readFileSync(join(SAMPLES, SPX), 'utf8');
  const csv = repeatedCsv(text, k);
  const start = now();
  let read: string;
  let contracts: number;
  try {
    const chain = parseChainText(csv, { origin: 'scaled', symbol: 'SPX' });
    contracts = chain.contracts.length;
    const mid = now();
    analyse(chain);
    read = `parse ${(mid - start).toFixed(0)} ms, analyse ${(now() - mid).toFixed(0)} ms`;
  } catch (e) {
    // Over the cap: the reader refuses while reading; the analysis alone is measured on the contracts.
    const refusedAfter = now() - start;
    const chain = repeated(parseChainText(text, { origin: SPX }), k);
    contracts = chain.contracts.length;
    const mid = now();
    analyse(chain);
    read = `file refused after ${refusedAfter.toFixed(0)} ms (${(e as Error).message.split(': ').slice(-1)[0]}); analyse alone ${(now() - mid).toFixed(0)} ms`;
  }
  const total = now() - start;
  process.stdout.write(JSON.stringify({ contracts, total, read, rssKb: process.resourceUsage().maxRSS }));
}

function scaling() {
  heading('cost against chain size (one fresh process each: read + analyse)');
  const perContract: number[] = [];
  const memory: { contracts: number; rssKb: number }[] = [];
  for (const k of [1, 2, 5, 10, 50]) {
    const p = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench.js'), '--scale', String(k)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (p.status !== 0) throw new Error(`scale ${k} failed: ${p.stderr}`);
    const r = JSON.parse(p.stdout) as { contracts: number; total: number; read: string; rssKb: number };
    const us = (r.total * 1000) / r.contracts;
    if (k <= 10) perContract.push(us);
    if (k === 1 || k === 10) memory.push(r);
    row(
      `× ${k}: ${r.contracts} contracts`,
      `${(r.total / 1000).toFixed(2)} s, ${us.toFixed(1)} µs/contract, ${mb(r.rssKb)}`,
      '',
      undefined,
    );
    row(`    ${r.read}`, '');
  }
  const growth = perContract[perContract.length - 1]! / perContract[0]!;
  row('time per contract, ×10 vs ×1', `× ${growth.toFixed(2)}`, 'linear (≤ × 1.5)', growth <= 1.5);
  // Memory each further contract costs, from ×1 to ×10; the target is a tenth of the 1.35 kB measured before
  // the reader and the analysis were reworked (1.35 GB at a million contracts).
  const [one, ten] = memory as [(typeof memory)[0], (typeof memory)[0]];
  const bytes = ((ten.rssKb - one.rssKb) * 1024) / (ten.contracts - one.contracts);
  row(
    'peak memory per further contract, ×1 to ×10',
    `${bytes.toFixed(0)} bytes`,
    '≤ 135 bytes',
    bytes <= 135,
  );
}

async function lambdaBundles() {
  heading('Lambda bundles as the stack builds them');
  // Loaded here only: the --stages and --scale processes must not pay for the CDK library in their figures.
  const { build } = await import('esbuild');
  const { LAMBDA_BUNDLING } = await import('../lib/report-function');
  const dir = join(ROOT, 'dist', 'bench');
  mkdirSync(dir, { recursive: true });
  for (const handler of ['underlying', 'aggregate']) {
    const outfile = join(dir, `${handler}.js`);
    await build({
      entryPoints: [join(ROOT, 'lambda', 'handlers', `${handler}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      minify: LAMBDA_BUNDLING.minify,
      sourcemap: LAMBDA_BUNDLING.sourceMap,
      target: LAMBDA_BUNDLING.target,
      loader: LAMBDA_BUNDLING.loader as Record<string, 'text'>,
      external: LAMBDA_BUNDLING.externalModules,
      alias: { cheerio: LAMBDA_BUNDLING.esbuildArgs['--alias:cheerio'] },
      logLevel: 'warning',
    });
    const size = statSync(outfile).size / 1024 / 1024;
    row(`${handler} bundle, minified`, `${size.toFixed(2)} MB`, '≤ 1.5 MB', size <= 1.5);
    const l = loadTime(outfile, 7);
    row(`${handler} module load (fresh process)`, ms(l), '≤ 300 ms median', l.median <= 300);
  }
}

/** A loopback server answering any symbol with the recorded SPY chain renamed to it (9,072 contracts each). */
async function chainServer() {
  const spy = readFileSync(join(SAMPLES, SPY), 'utf8');
  const server = createServer((req, res) => {
    const symbol = /^\/([A-Z0-9]+)\.json$/.exec(req.url ?? '')?.[1];
    if (!symbol) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(spy.replace(/"SPY(?=\d{6}[CP])/g, `"${symbol}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The names of a synthetic watchlist of n underlyings: `W0000`, `W0001`, … */
const names = (n: number) =>
  Array.from({ length: n }, (_, i) => `W${String(i).padStart(String(n - 1).length, '0')}`);

/**
 * A watchlist of 300 underlyings through the CLI against the loopback server, at the CLI's default
 * concurrency and jitter.
 */
async function watchlist() {
  const n = 300;
  heading(`a watchlist of ${n} underlyings (CLI --watchlist against a loopback server)`);
  const { server, base } = await chainServer();
  const dir = mkdtempSync(join(tmpdir(), 'gamma-watch-'));
  const list = join(dir, 'watchlist.txt');
  writeFileSync(list, names(n).join('\n'));
  const start = now();
  const child = spawn(
    process.execPath,
    ['--require', RSS, CLI, '--watchlist', list, '--max-age', '1000000', '--out', join(dir, 'out')],
    { env: { ...process.env, CBOE_BASE_URL: base }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (now() - start) / 1000;
  server.close();
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`watchlist run failed: ${stderr}`);
  const rssKb = Number(/maxrss-kb (\d+)/.exec(stderr)![1]);
  row(
    `${n} underlyings, end to end`,
    `${seconds.toFixed(1)} s, ${(n / seconds).toFixed(1)} underlyings/s`,
    '≤ 150 s',
    seconds <= 150,
  );
  row(`${n} underlyings, peak RSS`, mb(rssKb), '≤ 1024 MB', rssKb <= 1024 * 1024);
  row('per underlying (for the AWS cost estimate)', `${((seconds * 1000) / n).toFixed(0)} ms`);
}

/** The underlying function's memory (lib/config.ts), and the vCPU Lambda gives it. */
const FUNCTION_GB = UNDERLYING_MEMORY_MB / 1024;
const FUNCTION_VCPU = UNDERLYING_MEMORY_MB / 1769;
/** The recorded SPY chain's snapshot (samples/cboe_SPY_2025-06-06.json), and a run an hour after it. */
const SPY_RUN = new Date('2025-06-08T13:49:38Z');
const UNIVERSE_CONCURRENCY = DEPLOYMENT_DEFAULTS.maxConcurrency;
const UNIVERSE_BATCH = DEPLOYMENT_DEFAULTS.batchSize;

/** What one function process of the universe run reports on exit. */
interface WorkerReport {
  underlyings: number;
  cpuMs: number;
  wallMs: number;
  rssKb: number;
  results: UnderlyingResult[];
}

/** A runtime as the functions build theirs (lambda/handlers/config.ts), on a folder, at SPY_RUN, silent. */
function benchRuntime(env: NodeJS.ProcessEnv, out: string): RuntimeConfig {
  const settings = settingsFromEnv(env);
  return {
    store: new FsStore(out),
    live: liveConfigFromEnv(env, settings),
    analysis: analysisOptions(settings),
    freshness: freshnessOf(settings),
    now: () => SPY_RUN,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Bench' }),
  };
}

/**
 * The whole optionable universe: `--universe N` underlyings (5,000 by default) through the underlying
 * function's handler, as the map runs it (4 at once, each in its own process, one underlying after another,
 * each pacing to its share of the Cboe rate), against the loopback server, into a folder; then the aggregate
 * step in a fresh process. CPU time per underlying gives the GB-s a function at the default memory bills.
 */
async function universe() {
  const at = process.argv.indexOf('--universe');
  const n = at >= 0 ? Number(process.argv[at + 1]) : 5000;
  heading(
    `the universe: ${n} underlyings through the functions' handlers, ${UNIVERSE_CONCURRENCY} processes`,
  );
  const { server, base } = await chainServer();
  const dir = mkdtempSync(join(tmpdir(), 'gamma-universe-'));
  const env = {
    ...process.env,
    CBOE_BASE_URL: base,
    MAX_CONCURRENCY: String(UNIVERSE_CONCURRENCY),
    MAX_AGE_HOURS_EQUITY: '1000000',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const symbols = names(n);
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench.js'), ...args, dir], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`${args[0]}: ${stderr}`)),
      );
    });
  const start = now();
  const workers = await Promise.all(
    Array.from({ length: UNIVERSE_CONCURRENCY }, (_, k) =>
      run(['--universe-worker', symbols.filter((_, i) => i % UNIVERSE_CONCURRENCY === k).join(',')]),
    ),
  );
  const mapSeconds = (now() - start) / 1000;
  const reports = workers.map((w) => JSON.parse(w) as WorkerReport);
  const results = reports.flatMap((r) => r.results);
  writeFileSync(join(dir, '.results.json'), JSON.stringify(results));
  const aggregate = JSON.parse(await run(['--universe-aggregate'])) as {
    ms: number;
    rssKb: number;
    indexed: number;
  };
  const seconds = (now() - start) / 1000;
  server.close();
  const published = results.filter((r) => r.status === 'published').length;
  const pageKb = statSync(join(dir, 'index.html')).size / 1024;
  rmSync(dir, { recursive: true, force: true });
  const cpuMs = reports.reduce((a, r) => a + r.cpuMs, 0) / n;
  const wallMs = reports.reduce((a, r) => a + r.wallMs, 0) / n;
  const rssKb = Math.max(...reports.map((r) => r.rssKb), aggregate.rssKb);
  // Time 5,000 would take at this rate, for a smaller quick run.
  const scaled = n === 5000 ? '' : ` (${((seconds * 5000) / n / 60).toFixed(1)} min for 5,000 at this rate)`;
  row(
    `${n} underlyings, end to end`,
    `${(seconds / 60).toFixed(1)} min${scaled}, ${(n / seconds).toFixed(1)} underlyings/s`,
    '5,000 in ≤ 15 min',
    (seconds * 5000) / n <= 15 * 60,
  );
  row(
    'published',
    `${published} of ${n}, ${aggregate.indexed} indexed`,
    `${n}`,
    published === n && aggregate.indexed === n,
  );
  row('the map alone', `${mapSeconds.toFixed(1)} s`);
  row('peak RSS of any process', mb(rssKb), '≤ 1536 MB', rssKb <= 1536 * 1024);
  row(
    `aggregate step over ${n} summaries`,
    `${(aggregate.ms / 1000).toFixed(1)} s`,
    '≤ 60 s',
    aggregate.ms <= 60_000,
  );
  row('index.html', `${pageKb.toFixed(0)} kB`);
  row('per underlying: wall time in its process (pacing waits included)', `${wallMs.toFixed(0)} ms`);
  row('per underlying: CPU time', `${cpuMs.toFixed(0)} ms`);
  // Lambda bills the duration: the CPU work at the function's share of a vCPU, plus its requests' waits.
  const gbs = ((cpuMs / FUNCTION_VCPU + IO_ALLOWANCE_MS) / 1000) * FUNCTION_GB;
  row(
    `per underlying: GB-s at ${FUNCTION_GB * 1024} MB (CPU ÷ ${FUNCTION_VCPU.toFixed(2)} vCPU + ${IO_ALLOWANCE_MS} ms I/O)`,
    gbs.toFixed(2),
    '≤ 1 GB-s',
    gbs <= 1,
  );
}

/**
 * What the bench adds to a function's CPU for its waits in AWS: the Cboe download (a few MB at tens of MB/s
 * for most names) and the store's requests one after another (about 4 GET and LIST and up to 12 PUT at
 * 20–40 ms each).
 */
const IO_ALLOWANCE_MS = 700;

/** One function process of the universe run: its underlyings one after another, then its report on stdout. */
async function universeWorker(symbols: string[], out: string) {
  const handler = underlyingHandler(benchRuntime(process.env, out));
  const cpu = process.cpuUsage();
  const start = now();
  const results: UnderlyingResult[] = [];
  // The map's batches, one invocation each, one after another in this process.
  for (let i = 0; i < symbols.length; i += UNIVERSE_BATCH) {
    const batch = symbols.slice(i, i + UNIVERSE_BATCH).map((symbol) => ({ symbol }));
    results.push(...(await handler({ Items: batch })));
  }
  const used = process.cpuUsage(cpu);
  const report: WorkerReport = {
    underlyings: symbols.length,
    cpuMs: (used.user + used.system) / 1000,
    wallMs: now() - start,
    rssKb: process.resourceUsage().maxRSS,
    results,
  };
  process.stdout.write(JSON.stringify(report));
}

/** The aggregate step of the universe run, in its own process, over the folder the workers filled. */
async function universeAggregate(out: string) {
  const results = JSON.parse(readFileSync(join(out, '.results.json'), 'utf8')) as UnderlyingResult[];
  const start = now();
  const summary = await finishRun(benchRuntime(process.env, out))({ group: 'equity', results });
  const ms = now() - start;
  process.stdout.write(
    JSON.stringify({ ms, rssKb: process.resourceUsage().maxRSS, indexed: summary.indexed }),
  );
}

/**
 * The backfill of the bundled series (42 files, 84 snapshots): the CLI cold, start to exit, with its peak
 * memory; and, in a fresh process with the collector exposed (`--backfill-heap`), the heap the backfill keeps
 * after a full collection as it goes, whose growth per snapshot says whether memory stays flat.
 */
function backfills() {
  heading('backfill of the bundled series: 42 files, 84 snapshots of BTC and ETH (CLI --backfill)');
  const wall: number[] = [];
  const rss: number[] = [];
  let again = 0;
  for (let i = 0; i < 3; i++) {
    const out = mkdtempSync(join(tmpdir(), 'gamma-backfill-'));
    const run = measure('node', [CLI, '--backfill', SERIES, '--out', out]);
    wall.push(run.wall);
    rss.push(run.rssKb);
    if (i === 0) again = measure('node', [CLI, '--backfill', SERIES, '--out', out]).wall;
    rmSync(out, { recursive: true, force: true });
  }
  const w = stats(wall);
  row('84 snapshots, cold, start to exit', ms(w), '≤ 20 s median', w.median <= 20_000);
  row('the same again into the filled folder (all skipped)', `${again.toFixed(0)} ms`);
  row('peak RSS', mb(Math.max(...rss)), '≤ 250 MB', Math.max(...rss) <= 250 * 1024);
  const p = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'dist', 'bench.js'), '--backfill-heap'], {
    encoding: 'utf8',
  });
  if (p.status !== 0) throw new Error(`backfill heap failed: ${p.stderr}`);
  const heap = JSON.parse(p.stdout) as { at: number; kb: number }[];
  // The least-squares slope of the kept heap against the snapshots published.
  const mx = heap.reduce((a, h) => a + h.at, 0) / heap.length;
  const my = heap.reduce((a, h) => a + h.kb, 0) / heap.length;
  const perSnapshot =
    heap.reduce((a, h) => a + (h.at - mx) * (h.kb - my), 0) / heap.reduce((a, h) => a + (h.at - mx) ** 2, 0);
  row(
    `heap kept after a collection, snapshot ${heap[0]!.at} → ${heap.at(-1)!.at}`,
    `${mb(heap[0]!.kb)} → ${mb(heap.at(-1)!.kb)}: ${perSnapshot.toFixed(1)} kB per snapshot`,
    // An analysed BTC or ETH record held in memory keeps about 54 kB; the backfill keeps a name and an instant.
    '≤ 20 kB per snapshot (flat)',
    perSnapshot <= 20,
  );
}

/** Run in a fresh process with --expose-gc (`--backfill-heap`): the heap after a collection, every 12 snapshots. */
async function measureBackfillHeap() {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const out = mkdtempSync(join(tmpdir(), 'gamma-backfill-heap-'));
  const files = readdirSync(SERIES)
    .sort()
    .map((f) => fileInput(join(SERIES, f)));
  const heap: { at: number; kb: number }[] = [];
  await backfill(
    files,
    new FsStore(out),
    {
      analysis: DEFAULT_ANALYSIS,
      onProgress: ({ stage, done }) => {
        if (stage !== 'publishing' || done % 12 !== 0) return;
        gc();
        heap.push({ at: done, kb: process.memoryUsage().heapUsed / 1024 });
      },
    },
    () => new Date(),
  );
  rmSync(out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(heap));
}

function print() {
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 8));
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  for (const r of [['figure', 'measured (median, min–max)', 'target', ''], ...rows]) {
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  }
  const missed = rows.filter((r) => r[3] === 'MISSED').length;
  console.log(missed === 0 ? 'Every target met.' : `${missed} target${missed === 1 ? '' : 's'} MISSED.`);
  if (missed > 0 && process.argv.includes('--check')) process.exitCode = 1;
}

/** The sections, by the name `-- --only NAME` runs alone. */
const SECTIONS: Record<string, () => unknown> = {
  stages,
  'whole-process': wholeProcess,
  'cold-stages': coldStages,
  scaling,
  'lambda-bundles': lambdaBundles,
  watchlist,
  universe,
  backfills,
  'screener-page': () => screenerPage(SAMPLES, { heading, row }),
};

async function main() {
  const arg = (flag: string) => {
    const at = process.argv.indexOf(flag);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  if (process.argv.includes('--stages')) return measureColdStages();
  const scale = arg('--scale');
  if (scale !== undefined) return measureScale(Number(scale));
  if (process.argv.includes('--backfill-heap')) return measureBackfillHeap();
  const worker = arg('--universe-worker');
  if (worker !== undefined) return universeWorker(worker.split(','), process.argv.at(-1)!);
  if (process.argv.includes('--universe-aggregate')) return universeAggregate(process.argv.at(-1)!);
  const only = arg('--only');
  if (only !== undefined && !(only in SECTIONS)) {
    throw new Error(`--only ${only}: not a section (${Object.keys(SECTIONS).join(', ')})`);
  }
  for (const [name, section] of Object.entries(SECTIONS))
    if (only === undefined || only === name) await section();
  print();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 2;
});
