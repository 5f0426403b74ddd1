/**
 * `npm start` killed with SIGKILL (engine, worker, API and PostgreSQL at once) while applications
 * sit at every open stage, then started again on the same data directory: each goes on to
 * COMPLETED, with the deadline it was given at acceptance.
 */
import { acceptanceOf, eventually } from '../support/applicationsApi';
import { call, type RunningApi } from '../support/api';
import { EXIT_BOUND_MS, within } from '../support/bounds';
import { freePort } from '../support/freePort';
import { demoCitizens, demoTokens, FIRST_START_BOUND_MS, freshDataDir, killEverything, npmStart, RESTART_BOUND_MS, type DemoCitizen } from '../support/npmStart';

/** One step answered, retried while the workflow is busy or the engine not yet back. */
const STEP_BOUND_MS = 30_000;
/** A step's workflow work landing after its answer. */
const STAGE_BOUND_MS = 20_000;
/** The five applications taken to their stages, in parallel, at most four steps each. */
const TO_STAGES_BOUND_MS = 45_000;
/** After the restart, the five applications' remaining steps, in parallel, at most five each. */
const TO_COMPLETED_BOUND_MS = 45_000;
/** The two starts, the two phases and the two kills (the second in `finally`), each failing on its own first, and 15 s for the calls between them. */
const TEST_BOUND_MS = FIRST_START_BOUND_MS + TO_STAGES_BOUND_MS + RESTART_BOUND_MS + TO_COMPLETED_BOUND_MS + 2 * EXIT_BOUND_MS + 15_000;

test('when npm start is killed with SIGKILL while applications sit at every open stage, then after a restart each completes with its original deadline', async () => {
  const dataDir = freshDataDir('npm-start-');
  const port = await freePort();
  const api = { url: `http://127.0.0.1:${port}` } as RunningApi;
  let child = await npmStart(dataDir, port);
  try {
    const tokens = demoTokens(dataDir);
    const citizens = demoCitizens(dataDir);
    const token = (role: string, code?: string) =>
      tokens.find((t) => t.role === role && (!code || [t.stationCode, t.regionCode, t.provinceCode].includes(code)))!.token;
    const province = (region: string) => `${region.slice(0, 2)}0000`;
    const eligible = citizens.filter((c) => !c.blacklisted && c.cards.some((card) => card.status === 'ACTIVE') && tokens.some((t) => t.role === 'reviewer' && t.regionCode === province(c.homeRegionCode)));
    const stationFor = (c: DemoCitizen) => tokens.find((t) => t.role === 'station' && t.stationCode && !t.regionCode!.startsWith(c.homeRegionCode.slice(0, 2)))!;

    // Each step is retried while the workflow is busy (202) or the engine not yet back (503).
    const step = async (id: string, name: string, role: string, code: string, body: unknown, stage: string) => {
      await eventually(async () => {
        const answer = await call(api, 'POST', `/v1/applications/${id}/${name}`, { token: token(role, code), body });
        if (answer.status === 200 || answer.status === 201) return true;
        if (answer.status === 202 || answer.status === 503) return false;
        // 409 after a retried step that landed: the stage shows it.
        const now = await call(api, 'GET', `/v1/applications/${id}`, { token: token(role, code) });
        if (now.body?.stage === stage) return true;
        throw new Error(`${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }, STEP_BOUND_MS, `${name} on ${id}`);
    };
    // Each case: the stage it waits in, and how many steps took it there (PRINTING twice: approved, and printed).
    const stages: Array<[string, number]> = [['HOME_REVIEW', 0], ['PRINTING', 1], ['PRINTING', 2], ['SHIPPING', 3], ['READY_FOR_PICKUP', 4]];
    const cases = await within(Promise.all(
      stages.map(async ([target, taken], n) => {
        const citizen = eligible[n];
        const station = stationFor(citizen);
        const home = province(citizen.homeRegionCode);
        const accepted = await call(api, 'POST', '/v1/applications', {
          token: station.token,
          body: acceptanceOf(citizen),
          headers: { 'Idempotency-Key': `restart-${n}` },
        });
        expect(accepted.status).toBe(201);
        const id: string = accepted.body.applicationId;
        const path = [
          () => step(id, 'review', 'reviewer', home, { decision: 'approve' }, 'PRINTING'),
          () => step(id, 'printed', 'production', home, {}, 'PRINTING'),
          () => step(id, 'dispatched', 'production', home, { trackingNumber: `EMS${n}0000001` }, 'SHIPPING'),
          () => step(id, 'arrived', 'station', station.stationCode!, {}, 'READY_FOR_PICKUP'),
          () => step(id, 'picked-up', 'station', station.stationCode!, { oldCardReturned: true }, 'COMPLETED'),
        ];
        const read = () => call(api, 'GET', `/v1/applications/${id}`, { token: station.token });
        for (const next of path.slice(0, taken)) await next();
        // The last step's workflow work may land just after its answer: wait for the stage.
        await eventually(async () => (await read()).body.stage === target, STAGE_BOUND_MS, `${id} at ${target}`);
        const before = (await read()).body;
        return { id, target, deadline: before.deadlineAt ?? before.deadline, rest: path.slice(taken), read };
      }),
    ), TO_STAGES_BOUND_MS, 'the applications did not all reach their stages');
    expect(cases.map((c) => c.target)).toEqual(stages.map(([target]) => target));

    await killEverything(child, dataDir);
    child = await npmStart(dataDir, port, RESTART_BOUND_MS);

    await within(Promise.all(
      cases.map(async ({ rest, read, deadline, target }) => {
        const after = (await read()).body;
        expect(after.stage).toBe(target);
        expect(after.deadlineAt ?? after.deadline).toBe(deadline);
        for (const next of rest) await next();
        await eventually(async () => (await read()).body.stage === 'COMPLETED', STAGE_BOUND_MS, 'COMPLETED');
        expect(((await read()).body.deadlineAt ?? (await read()).body.deadline)).toBe(deadline);
      }),
    ), TO_COMPLETED_BOUND_MS, 'the applications did not all complete after the restart');
  } finally {
    await killEverything(child, dataDir).catch(() => undefined);
  }
}, TEST_BOUND_MS);
