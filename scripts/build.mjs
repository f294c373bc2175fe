// Bundles the CLI into dist/gamma-report.js; templates are inlined as text so the bundle is self-contained.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'gamma-report.js');

await build({
  entryPoints: [join(root, 'bin', 'gamma-report.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  loader: { '.hbs': 'text' },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
