import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Db } from '../../db/knex';
import { killed } from '../support/bounds';
import { testDb } from '../support/database';
import { newCitizen, newToken } from '../support/fixtures';

/**
 * The audit's bound under SIGKILL (README): an API process killed outright loses at most the
 * verifications it answered within the last VERIFICATION_AUDIT_FLUSH_MS (one flush window, plus the
 * time the batch takes to commit); everything answered before that is in `verification_audit`.
 * The API runs in a child process so that it can be killed.
 */
const FLUSH_MS = 200;
/** One flush window and the COPY of its batch, on a small shared machine. */
const BOUND_MS = FLUSH_MS + 300;
/** Enough answers under load for the kill to fall among them. */
const MIN_ANSWERED = 51;

const CHILD = `
const { createApp } = require(${JSON.stringify(path.resolve(__dirname, '../../api/app'))});
const { loadConfig } = require(${JSON.stringify(path.resolve(__dirname, '../../config'))});
const { createLogger } = require(${JSON.stringify(path.resolve(__dirname, '../../config/logger'))});
const { createDb } = require(${JSON.stringify(path.resolve(__dirname, '../../db/knex'))});
const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, VERIFICATION_AUDIT_FLUSH_MS: '${FLUSH_MS}', LOG_LEVEL: 'silent' });
const api = createApp({ db: createDb(config.DATABASE_URL), config, logger: createLogger('silent') });
const server = api.app.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.destroy();
});

test('when the API is killed with SIGKILL, then every verification answered more than one flush window before is in the audit', async () => {
  const citizen = await newCitizen(db);
  const unit = await newToken(db, 'unit', { unitId: 'icbc' });
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '../..'), env: process.env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (const started = Date.now(); !/port \d+/.test(output); await new Promise((resolve) => setTimeout(resolve, 50))) {
      if (Date.now() - started > 30_000) throw new Error('the API did not start');
    }
    const url = `http://127.0.0.1:${/port (\d+)/.exec(output)![1]}/v1/verifications`;
    const answeredAt: number[] = [];
    const body = JSON.stringify({ idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom });
    // Two seconds of load, and on a busy machine on until MIN_ANSWERED were answered (at most 20 s).
    const until = Date.now() + 2_000;
    const latest = Date.now() + 20_000;
    while (Date.now() < until || (answeredAt.length < MIN_ANSWERED && Date.now() < latest)) {
      const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${unit}`, 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      if (response.status === 200) answeredAt.push(Date.now());
    }
    const killedAt = Date.now();
    await killed(child, 'the API process');

    const [{ count }] = await db('verificationAudit').where({ idNumber: citizen.idNumber }).count({ count: '*' });
    const audited = Number(count);
    const answeredBeforeBound = answeredAt.filter((at) => at < killedAt - BOUND_MS).length;
    expect(answeredAt.length).toBeGreaterThanOrEqual(MIN_ANSWERED);
    expect(audited).toBeGreaterThanOrEqual(answeredBeforeBound);
    expect(audited).toBeLessThanOrEqual(answeredAt.length);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 60_000);
