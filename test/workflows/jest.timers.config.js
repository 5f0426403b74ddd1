/**
 * The timer tests alone (with the repository's PostgreSQL global setup): what
 * `npm run test:mutation:workflows` runs against each mutant of the workflow's timers.
 */
const base = require('../../jest.config.js');
module.exports = { ...base, rootDir: '../..', roots: ['<rootDir>/test/workflows'], testMatch: ['**/timers.test.ts'] };
