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
  // Two files at a time, each in a worker process, even on two cores (jest's default there is one, in
  // its own process): most of a file's time is waiting on PostgreSQL, the engine or a browser. The
  // suite takes about half as long, and a file's leftovers cannot reach the others.
  maxWorkers: 2,
};
