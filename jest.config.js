/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  // Node's, clearing the timers a file leaves behind (test/support/testEnvironment.ts).
  testEnvironment: '<rootDir>/test/support/testEnvironment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
  // Two files at a time, one per core; each jest worker has a database of its own
  // (test/support/workerDatabases.ts), so no file sees another's rows.
  maxWorkers: 2,
};
