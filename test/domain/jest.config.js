/**
 * The domain tests alone, without the repository's PostgreSQL global setup they do not need:
 * `npx jest -c test/domain/jest.config.js`. `npx jest test/domain` runs them too, with that setup.
 */
const base = require('../../jest.config.js');
const { globalSetup, globalTeardown, ...rest } = base;
module.exports = { ...rest, rootDir: '../..', roots: ['<rootDir>/test/domain'], testTimeout: 10000 };
