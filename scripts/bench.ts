/**
 * `npm run bench`: the performance figures of issue 7, each beside its target, measured in one run on this
 * machine. Medians with the spread (min–max) of repeated runs; nothing here is a pass/fail test.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyse, DEFAULT_ANALYSIS } from '../lambda/gamma/analyse';
import { run } from '../lambda/pipeline';
import type { ChainInput } from '../lambda/types';
import { renderReportPage } from '../lambda/report/render';
import { parseChainText } from '../lambda/readers/detect';
import { FsStore } from '../lambda/store/fs-store';
import { LAMBDA_BUNDLING } from '../lib/report-function';

// Bundled into dist/bench.js: the project root is one level up from there.
const ROOT = join(__dirname, '..');
const SAMPLES = join(ROOT, 'samples');
const CHAINS = ['cboe_SPX_2023-09-14.csv', 'cboe_SPY_2025-06-06.json', 'deribit_BTC_2026-03-13.json'];

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

function time<T>(runs: number, f: () => T): ReturnType<typeof stats> {
  f(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    f();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return stats(samples);
}

const rows: string[][] = [];
function row(what: string, figure: string, target: string, ok?: boolean) {
  rows.push([what, figure, target, ok === undefined ? '' : ok ? 'ok' : 'MISSED']);
}
const ms = (s: ReturnType<typeof stats>) =>
  `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

async function main() {
  for (const name of CHAINS) {
    const text = readFileSync(join(SAMPLES, name), 'utf8');
    const chain = parseChainText(text, { origin: name });
    const record = analyse(chain);
    const parse = time(9, () => parseChainText(text, { origin: name }));
    const analysis = time(15, () => analyse(chain));
    const render = time(15, () => renderReportPage(record));
    const spx = name.startsWith('cboe_SPX');
    row(`parse ${name} (${chain.contracts.length} contracts)`, ms(parse), '');
    row(
      `analyse ${name}`,
      ms(analysis),
      spx ? '≤ 60 ms median' : '',
      spx ? analysis.median <= 60 : undefined,
    );
    row(`render page ${name}`, ms(render), '');
  }

  // The whole CLI on one SPX file, process start to exit, with its peak RSS.
  const cli = join(ROOT, 'dist', 'gamma-report.js');
  const out = mkdtempSync(join(tmpdir(), 'gamma-bench-'));
  const wall: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = process.hrtime.bigint();
    const p = spawnSync(
      process.execPath,
      ['-r', join(ROOT, 'scripts', 'rss.cjs'), cli, '--file', join(SAMPLES, CHAINS[0]!), '--out', out],
      {
        encoding: 'utf8',
      },
    );
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (p.status !== 0) throw new Error(`CLI failed: ${p.stderr}`);
    rss.push(Number(/maxrss-kb (\d+)/.exec(p.stderr)![1]) / 1024);
  }
  const w = stats(wall);
  const r = stats(rss);
  row('CLI on the SPX file, start to exit', ms(w), '≤ 1500 ms', w.median <= 1500);
  row(
    'CLI peak RSS',
    `${r.median.toFixed(0)} MB (${r.min.toFixed(0)}–${r.max.toFixed(0)})`,
    '≤ 250 MB',
    r.max <= 250,
  );

  // The Lambda bundles as the stack builds them: size, and module load time in a fresh Node process.
  const bundles = join(ROOT, 'dist', 'bench');
  mkdirSync(bundles, { recursive: true });
  for (const handler of ['underlying', 'aggregate']) {
    const outfile = join(bundles, `${handler}.js`);
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
    const loads: number[] = [];
    for (let i = 0; i < 7; i++) {
      const p = spawnSync(
        process.execPath,
        [
          '-e',
          `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
        ],
        { encoding: 'utf8' },
      );
      loads.push(Number(p.stdout.trim()));
    }
    const l = stats(loads);
    row(`${handler} module load (fresh process)`, ms(l), '≤ 300 ms', l.median <= 300);
  }

  // Scale: the bundled chains repeated under different symbols, through the CLI's pipeline.
  const files = CHAINS.map((n) => join(SAMPLES, n));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const perChain: number[] = [];
  for (const n of [25, 50, 100]) {
    const dir = join(out, `scale-${n}`);
    const inputs: ChainInput[] = Array.from({ length: n }, (_, i) => ({
      label: `chain ${i}`,
      origin: 'file',
      load: async () => parseChainText(texts[i % texts.length]!, { origin: `chain ${i}`, symbol: `S${i}` }),
    }));
    const start = process.hrtime.bigint();
    const result = await run(
      inputs,
      new FsStore(dir),
      { analysis: DEFAULT_ANALYSIS, concurrency: 4 },
      () => new Date(),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.failures.length) throw result.failures[0]!;
    perChain.push((seconds * 1000) / n);
    row(
      `pipeline, ${n} chains (concurrency 4)`,
      `${seconds.toFixed(1)} s, ${(n / seconds).toFixed(1)} chains/s`,
      '',
    );
  }
  const growth = perChain[2]! / perChain[0]!;
  row('time per chain, 100 vs 25 chains', `× ${growth.toFixed(2)}`, 'linear (≈ × 1, ≤ × 1.5)', growth <= 1.5);
  rmSync(out, { recursive: true, force: true });

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
  if (rows.some((r) => r[3] === 'MISSED')) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
