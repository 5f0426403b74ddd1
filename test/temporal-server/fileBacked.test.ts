/**
 * The conformance suite again, every server keeping its state in a `--db-filename` file: the same
 * tests, so the file-backed mode is held to everything the in-memory mode is.
 */
process.env.TEMPORAL_SERVER_DB = 'file';

for (const file of ['./basic.test', './lifecycle.test', './messages.test', './tasks.test', './local.test', './searchAttributes.test', './schedules.test', './standaloneActivities.test', './activityOps.test', './nexus.test', './nexusStandalone.test']) {
  describe(`file-backed: ${file.slice(2, -5)}`, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  });
}

test('when started with a db file, then the server says its state is in SQLite', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { timeSkippingEnv } = require('./helpers') as typeof import('./helpers');
  const env = await timeSkippingEnv();
  try {
    const info = await env.connection.workflowService.getClusterInfo({});
    expect(info.persistenceStore).toBe('sqlite');
  } finally {
    await env.teardown();
  }
});
