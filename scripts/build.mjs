// Bundles the CLI into dist/gamma-report.js (and, with `bench`, the benchmark into dist/bench.js).
// Templates are inlined as text, so each bundle is self-contained.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  loader: { '.hbs': 'text' },
  // As in the Lambda bundles (lib/report-function.ts): juice parses strings with cheerio's slim build.
  alias: { cheerio: 'cheerio/slim' },
  logLevel: 'warning',
};

const cli = join(root, 'dist', 'gamma-report.js');
await build({ ...common, entryPoints: [join(root, 'bin', 'gamma-report.ts')], outfile: cli });
chmodSync(cli, 0o755);

if (process.argv.includes('bench')) {
  await build({
    ...common,
    entryPoints: [join(root, 'scripts', 'bench.ts')],
    outfile: join(root, 'dist', 'bench.js'),
    // Loaded from node_modules, and only by the sections that build the Lambda bundles and drive Chromium.
    external: ['esbuild', 'aws-cdk-lib', 'constructs', 'playwright-core'],
  });
}
