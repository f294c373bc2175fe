// Mutation testing with StrykerJS: small bugs are planted in the maths and the readers, one at a time, and
// the tests must catch them. `npm run mutation` (scripts/mutation.mjs) runs every scope below and prints the
// score by file and by folder; it is not part of `npm test` (README, "Developing").
//
// A scope is one source file (or folder) with the test files written for it: under `perTest` coverage each
// mutant then runs only the tests of those files that reach it. Wider sets would catch a few more mutants by
// accident and cost every mutant the loading of every file (the 2-core budget is 30 minutes for all scopes).
// tests/gamma/spx-record.test.ts is in no scope: it analyses the whole 20,000-contract SPX chain, five
// seconds per mutant under instrumentation, and real-chains.test.ts pins the BTC chain's record instead.

import { readdirSync } from 'node:fs';
import { URL } from 'node:url';

const gamma = (file, tests) => ({
  mutate: [`lambda/gamma/${file}.ts`],
  tests: tests.map((name) => `<rootDir>/tests/gamma/${name}.test.ts`),
});

export const SCOPES = {
  'gamma/black-scholes': gamma('black-scholes', [
    'black-scholes',
    'greeks',
    'exposure',
    'naive',
    'real-chains',
  ]),
  'gamma/exposure': gamma('exposure', [
    'exposure',
    'exposures',
    'analyse',
    'naive',
    'real-chains',
    'properties',
  ]),
  'gamma/profile': gamma('profile', ['flip', 'analyse', 'naive', 'real-chains']),
  'gamma/levels': gamma('levels', ['levels', 'real-chains']),
  'gamma/expected-move': gamma('expected-move', ['expected-move', 'exposures', 'real-chains']),
  'gamma/change': gamma('change', ['change']),
  'gamma/evidence': gamma('evidence', ['evidence']),
  'gamma/analyse': gamma('analyse', [
    'analyse',
    'change',
    'expected-move',
    'exposure',
    'exposures',
    'flip',
    'levels',
    'properties',
    'real-chains',
  ]),
  // One scope per reader file, each with the readers' own tests: tests/reliability/fuzz-readers.test.ts (two
  // 1,500-run properties, 7 s) would run for nearly every mutant. Under a mutation run the tests that go over
  // every recorded chain read one of each layout (tests/helpers.ts, mutationSubset).
  ...Object.fromEntries(
    readdirSync(new URL('lambda/readers/', import.meta.url))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => [
        `readers/${name.slice(0, -3)}`,
        { mutate: [`lambda/readers/${name}`], tests: ['<rootDir>/tests/readers/**/*.test.ts'] },
      ]),
  ),
};

/** Minimum mutation score by folder, in percent (issue 20). */
export const TARGETS = { gamma: 90, readers: 80 };

/** Stryker options for one scope: its files, its tests, its own incremental file and report. */
export function scopeOptions(name) {
  const scope = SCOPES[name];
  if (!scope) throw new Error(`no mutation scope ${name}: expected one of ${Object.keys(SCOPES).join(', ')}`);
  const file = name.replace('/', '-');
  return {
    mutate: scope.mutate,
    jest: { config: { testMatch: scope.tests } },
    incrementalFile: `test-output/mutation/${file}.incremental.json`,
    htmlReporter: { fileName: `test-output/mutation/${file}.html` },
  };
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  coverageAnalysis: 'perTest',
  // Without a scope (`npx stryker run`): every scope's files against every scope's tests, in one slow run.
  mutate: Object.values(SCOPES).flatMap((s) => s.mutate),
  jest: {
    configFile: 'jest.config.js',
    config: {
      testMatch: [...new Set(Object.values(SCOPES).flatMap((s) => s.tests))],
      // The bundle that the global setup builds serves the CLI tests, which no scope runs. (null, because the
      // options reach Stryker's worker processes as JSON, where undefined would vanish.)
      globalSetup: null,
      setupFiles: ['<rootDir>/tests/mutation-setup.cjs'],
    },
  },
  // Results are kept between runs, and a run re-tests only the mutants whose code or tests changed. The
  // incremental files and the HTML reports live in test-output/mutation/, which git, eslint and prettier
  // ignore: a local cache of test names and positions that changes with every edit, not worth committing
  // when a full run of the maths fits the time budget anyway.
  incremental: true,
  incrementalFile: 'test-output/mutation/all.incremental.json',
  reporters: ['clear-text', 'html', 'progress'],
  htmlReporter: { fileName: 'test-output/mutation/all.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: 2,
  // Other engineers' test runs share the two cores: leave room before calling a slow mutant an endless loop.
  timeoutMS: 10000,
  ignorePatterns: ['dist', 'out', 'cdk.out', 'coverage', 'test-output', 'docs'],
  tempDirName: 'test-output/stryker-tmp',
  cleanTempDir: 'always',
};
