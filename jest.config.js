const { existsSync } = require('node:fs');

// Browser tests need Debian's chromium (.ci/run installs it). Without it they are left out on a
// developer's machine, with a note; in CI (CI=true) they always run, so a missing browser fails there.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skipBrowser = !existsSync(chromium) && process.env.CI !== 'true';
if (skipBrowser) {
  console.warn(`Browser tests left out: ${chromium} is missing (apt-get install -y chromium).`);
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(skipBrowser ? ['<rootDir>/tests/browser/'] : [])],
  transform: {
    // tsconfig's isolatedModules makes ts-jest transpile only; `npm run typecheck` checks types.
    '^.+\\.ts$': 'ts-jest',
    '^.+\\.hbs$': '<rootDir>/tests/hbs-transform.cjs',
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'hbs'],
  // The bundles alias cheerio to its slim build (see lib/report-function.ts); the tests run the same code.
  moduleNameMapper: { '^cheerio$': 'cheerio/slim' },
  globalSetup: '<rootDir>/tests/global-setup.cjs',
  reporters: ['default', '<rootDir>/tests/summary-reporter.cjs'],
  testTimeout: 60000,
};
