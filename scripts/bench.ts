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
import { analyse, DEFAULT_ANALYSIS } from '../lambda/gamma/analyse';
import { publishReport } from '../lambda/publish';
import { fileInput, parseChainText } from '../lambda/readers/detect';
import { renderReportPage } from '../lambda/report/render';
import { FsStore } from '../lambda/store/fs-store';
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

/**
 * A watchlist of 300 underlyings through the CLI against a loopback server that answers any symbol with the
 * recorded SPY chain renamed to it (9,072 contracts each), at the CLI's default concurrency and jitter.
 */
async function watchlist() {
  const n = 300;
  heading(`a watchlist of ${n} underlyings (CLI --watchlist against a loopback server)`);
  const spy = readFileSync(join(SAMPLES, SPY), 'utf8');
  const server = createServer((req, res) => {
    const symbol = /^\/([A-Z0-9]+)\.json$/.exec(req.url ?? '')?.[1];
    if (!symbol) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(spy.replace(/"SPY(?=\d{6}[CP])/g, `"${symbol}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'gamma-watch-'));
  const list = join(dir, 'watchlist.txt');
  writeFileSync(list, Array.from({ length: n }, (_, i) => `W${String(i).padStart(3, '0')}`).join('\n'));
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

async function main() {
  if (process.argv.includes('--stages')) return measureColdStages();
  const scale = process.argv.indexOf('--scale');
  if (scale >= 0) return measureScale(Number(process.argv[scale + 1]));
  if (process.argv.includes('--backfill-heap')) return measureBackfillHeap();
  stages();
  wholeProcess();
  coldStages();
  scaling();
  await lambdaBundles();
  await watchlist();
  backfills();
  await screenerPage(SAMPLES, { heading, row });
  print();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 2;
});
