// `npm run mutation [scope or folder ...]`: runs the StrykerJS scopes of stryker.config.mjs one after the other
// (all of them by default; `gamma`, `readers` or `gamma/levels` to choose), then prints the mutation score by
// file and by folder and the time taken. Exits 1 when a folder that ran in full is below its target.
import { relative } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { SCOPES, TARGETS, scopeOptions } from '../stryker.config.mjs';

const asked = process.argv.slice(2);
const names = Object.keys(SCOPES).filter(
  (name) => asked.length === 0 || asked.some((a) => name === a || name.startsWith(`${a}/`)),
);
if (names.length === 0) {
  console.error(`mutation: no scope matches ${asked.join(' ')}; scopes: ${Object.keys(SCOPES).join(', ')}`);
  process.exit(2);
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const started = Date.now();
/** file → { detected, undetected } */
const byFile = new Map();
for (const name of names) {
  const results = await new Stryker(scopeOptions(name)).runMutationTest();
  for (const mutant of results) {
    const file = relative(process.cwd(), mutant.fileName);
    const counts = byFile.get(file) ?? { detected: 0, undetected: 0 };
    if (DETECTED.has(mutant.status)) counts.detected += 1;
    if (UNDETECTED.has(mutant.status)) counts.undetected += 1;
    byFile.set(file, counts);
  }
}

const score = ({ detected, undetected }) => (100 * detected) / Math.max(1, detected + undetected);
const row = (label, c) =>
  `${label.padEnd(36)} ${score(c).toFixed(1).padStart(6)}%  ${String(c.detected).padStart(5)} caught  ${String(c.undetected).padStart(4)} missed`;
const lines = ['', 'mutation score (caught / (caught + missed); missed = survived or not covered)'];
let short = false;
for (const [folder, target] of Object.entries(TARGETS)) {
  const files = [...byFile].filter(([file]) => file.startsWith(`lambda/${folder}/`)).sort();
  if (files.length === 0) continue;
  for (const [file, c] of files) lines.push(row(file, c));
  const total = files.reduce(
    (t, [, c]) => ({ detected: t.detected + c.detected, undetected: t.undetected + c.undetected }),
    {
      detected: 0,
      undetected: 0,
    },
  );
  const whole = Object.keys(SCOPES).every((name) => !name.startsWith(folder) || names.includes(name));
  const verdict = !whole
    ? '(part of the folder)'
    : score(total) >= target
      ? `target ${target}% met`
      : `BELOW target ${target}%`;
  if (whole && score(total) < target) short = true;
  lines.push(`${row(`lambda/${folder}/ (all)`, total)}  ${verdict}`);
}
lines.push(`${names.length} scope(s) in ${((Date.now() - started) / 60000).toFixed(1)} min`);
console.log(lines.join('\n'));
process.exitCode = short ? 1 : 0;
