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
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
    '^.+\\.hbs$': '<rootDir>/tests/hbs-transform.cjs',
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'hbs'],
  globalSetup: '<rootDir>/tests/global-setup.cjs',
  reporters: ['default', '<rootDir>/tests/summary-reporter.cjs'],
  testTimeout: 60000,
};
