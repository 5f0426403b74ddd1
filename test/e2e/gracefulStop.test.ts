/**
 * A graceful stop of `npm start` loses no verification from the audit: every verification answered
 * 200 before the stop is in `verification_audit` after it (README, VERIFICATION_AUDIT_FLUSH_MS).
 * Both ways an operator stops it, one after the other on the same data directory: Ctrl-C in a
 * terminal (SIGINT to npm start's process group, which embedded PostgreSQL is not in) and a service
 * manager's SIGTERM to the main process alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '../../db/knex';
import { call, type RunningApi } from '../support/api';
import { EXIT_BOUND_MS, exitOf, within } from '../support/bounds';
import { freePort } from '../support/freePort';
import { demoCitizens, demoTokens, FIRST_START_BOUND_MS, freshDataDir, killEverything, npmStart, RESTART_BOUND_MS } from '../support/npmStart';

/** Verification calls in flight at once while the stop arrives. */
const CLIENTS = 8;
/** A graceful stop: the audit's last flush, the worker's pollers, the engine and embedded PostgreSQL. */
const STOP_BOUND_MS = 60_000;
/** Under load before each stop. */
const LOAD_MS = 1_500;
/** The first start, then per stop the load, the stop and a restart, then the kill in `finally`, each failing on its own first; and 15 s for the audit's count. */
const TEST_BOUND_MS = FIRST_START_BOUND_MS + 2 * (LOAD_MS + STOP_BOUND_MS + RESTART_BOUND_MS) + EXIT_BOUND_MS + 15_000;

test('when npm start is stopped by Ctrl-C or by SIGTERM under verification load, then every verification answered is in the audit', async () => {
  const dataDir = freshDataDir('graceful-stop-');
  const port = await freePort();
  const api = { url: `http://127.0.0.1:${port}` } as RunningApi;
  let child = await npmStart(dataDir, port);
  try {
    const units = demoTokens(dataDir).filter((t) => t.role === 'unit');
    const citizen = demoCitizens(dataDir).find((c) => c.cards.some((card) => card.status === 'ACTIVE'))!;
    const body = { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards.find((card) => card.status === 'ACTIVE')!.validFrom };
    const stops = [
      { unit: units[0], signal: 'SIGINT', toGroup: true },
      { unit: units[1], signal: 'SIGTERM', toGroup: false },
    ] as const;
    expect(stops.every((stop) => stop.unit)).toBe(true);

    const answered: number[] = [];
    for (const { unit, signal, toGroup } of stops) {
      let count = 0;
      let stopping = false;
      const client = async () => {
        for (;;) {
          const answer = await call(api, 'POST', '/v1/verifications', { token: unit.token, body }).catch(() => undefined);
          if (!answer) return; // the server has closed: the stop is under way
          if (answer.status === 200) count += 1;
          else if (answer.status !== 429 && answer.status !== 503) throw new Error(`verification answered ${answer.status}: ${JSON.stringify(answer.body)}`);
          if (stopping && answer.status !== 200) return;
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      // The stop comes under load, so the audit holds rows it has not written yet.
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
      const exited = exitOf(child, `npm start did not exit after ${signal}`, STOP_BOUND_MS);
      stopping = true;
      process.kill(toGroup ? -child.pid! : child.pid!, signal);
      await within(Promise.all(clients), STOP_BOUND_MS, `npm start did not stop answering after ${signal}`);
      expect(await exited).toBe(0);
      // A process that would join now finds no services rather than the stopped ones.
      expect(existsSync(path.join(dataDir, 'services.json'))).toBe(false);
      expect(count).toBeGreaterThan(0);
      answered.push(count);
      child = await npmStart(dataDir, port, RESTART_BOUND_MS);
    }

    const { databaseUrl } = JSON.parse(readFileSync(path.join(dataDir, 'services.json'), 'utf8'));
    const db = createDb(databaseUrl);
    try {
      const audited = await Promise.all(stops.map(async ({ unit }) => Number((await db('verificationAudit').where({ unitId: unit.unitId }).count({ count: '*' }))[0].count)));
      expect(audited).toEqual(answered);
    } finally {
      await db.destroy();
    }
  } finally {
    await killEverything(child, dataDir).catch(() => undefined);
  }
}, TEST_BOUND_MS);
