'use strict';
// Preload for temporalio/samples-typescript tests (mocha `--require`, jest `--setupFiles`):
// every TestWorkflowEnvironment.createLocal / createTimeSkipping the sample makes starts our
// embedded server (bin/temporal-dev-server) instead of downloading Temporal's. The sample's other
// options are kept; only `server.executable` is replaced.
const path = require('node:path');

const server = process.env.TEMPORAL_SAMPLES_SERVER || path.resolve(__dirname, '..', '..', 'bin', 'temporal-dev-server');

// The sample's own @temporalio/testing (resolved from the folder the test command runs in), so the
// class patched here is the one the tests import.
const testingPath = require.resolve('@temporalio/testing', { paths: [process.cwd()] });
const { TestWorkflowEnvironment } = require(testingPath);

function withOurServer(options) {
  const opts = options || {};
  return { ...opts, server: { ...(opts.server || {}), executable: { type: 'existing-path', path: server } } };
}

for (const name of ['createLocal', 'createTimeSkipping']) {
  const original = TestWorkflowEnvironment[name];
  if (typeof original !== 'function' || original.__ourServer) continue;
  const patched = function (options) {
    return original.call(this, withOurServer(options));
  };
  patched.__ourServer = true;
  TestWorkflowEnvironment[name] = patched;
}
