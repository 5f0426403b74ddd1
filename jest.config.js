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
  // One file at a time (on two cores jest's own default, in its process): some files still assume
  // that the registry-wide feed and regions stay quiet while they run. `npm test -- --maxWorkers=2`
  // takes about half the time and passed in full once, but each parallel run so far found another
  // such file; CI stays in band until none is left.
  maxWorkers: 1,
};
