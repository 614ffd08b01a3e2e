/** Jest: TypeScript through ts-jest, transpile-only (type-checking is `npm run typecheck`); one Mongo-wire server per run (test/setup), a database per test file. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/{e2e,exporter,gateway,updater,monitor,core,dev,cli}/**/*.test.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/reliability/summary-reporter.js'],
};
