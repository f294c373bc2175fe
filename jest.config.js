/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
    '^.+\\.hbs$': '<rootDir>/tests/hbs-transform.cjs',
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'hbs'],
  globalSetup: '<rootDir>/tests/global-setup.cjs',
  reporters: ['default', '<rootDir>/tests/summary-reporter.cjs'],
  testTimeout: 30000,
};
