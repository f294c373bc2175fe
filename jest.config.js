/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Every suite is always collected: one whose machine prerequisites are missing (tests/prerequisites.cjs)
  // reports its tests as skipped, and the summary line says why.
  testPathIgnorePatterns: ['/node_modules/'],
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
  // A guard against a test that hangs, not a speed target (those live in `npm run bench`). The heaviest tests
  // need 3–5 s of CPU (the CLI over the ten samples, a cdk synth, axe on a report page): on two cores shared
  // with a dozen busy processes the suite got 10–15% of one, and the CLI test took from 11 s to over 60 s.
  // Three minutes leave that room, and still end a real hang.
  testTimeout: 180_000,
};
