import { randomUUID } from 'node:crypto';
import { createUser, type Role } from '../../db/users';
import { call } from '../support/api';
import { acceptanceOf, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, stationIn } from '../support/fixtures';

/**
 * The API's own path through the workflow's second check of the actor: each step carries the
 * caller's account, which the write activity checks again (`test/workflows/actorCheck.test.ts`
 * sends the refused ones straight to the engine). The legitimate callers still go through, and the
 * rows written name them.
 */
let harness: ApplicationsApi;
const stationCode = stationIn(COUNTIES.shanghaiPudong);
const otherStationCode = stationIn(COUNTIES.hangzhouXihu);

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['51'] });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const account = async (role: Role, jurisdiction: { stationCode?: string; regionCode?: string; provinceCode?: string }) => {
  const { user, token } = await createUser(harness.db, {
    id: `${role}-${randomUUID()}`,
    name: `test ${role}`,
    role,
    stationCode: jurisdiction.stationCode ?? null,
    regionCode: jurisdiction.regionCode ?? null,
    provinceCode: jurisdiction.provinceCode ?? null,
    unitId: null,
  });
  return { id: user.id, token };
};

test('when every step goes through the API, then each is accepted and its stage and audit rows name the caller, a misrouted arrival included', async () => {
  const { db, api } = harness;
  const station = await account('station', { stationCode });
  const otherStation = await account('station', { stationCode: otherStationCode });
  const reviewer = await account('reviewer', { regionCode: COUNTIES.chengduWuhou });
  const production = await account('production', { provinceCode: '510000' });
  const post = (token: string, path: string, body: unknown) => call(api, 'POST', path, { token, body });
  const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.chengduWuhou });

  const accepted = await post(station.token, '/v1/applications', acceptanceOf(citizen, { temporaryCardRequested: true }));
  expect(accepted.status).toBe(201);
  const id: string = accepted.body.applicationId;
  const path = `/v1/applications/${id}`;
  expect((await post(reviewer.token, `${path}/extend`, { days: 10, reason: 'records to fetch' })).status).toBe(200);
  expect((await post(reviewer.token, `${path}/temporary-card-issued`, {})).status).toBe(200);
  expect((await post(reviewer.token, `${path}/review`, { decision: 'approve' })).status).toBe(200);
  expect((await post(production.token, `${path}/print-failed`, { reason: 'chip write failed' })).status).toBe(200);
  expect((await post(production.token, `${path}/printed`, {})).status).toBe(200);
  expect((await post(production.token, `${path}/dispatched`, { trackingNumber: 'EMS-ACTOR-1' })).status).toBe(200);
  // The other station holds the parcel: its tracking number travels with the update to the activity's check.
  const misrouted = await post(otherStation.token, `${path}/arrived`, { trackingNumber: 'EMS-ACTOR-1' });
  expect({ status: misrouted.status, body: misrouted.body }).toMatchObject({ status: 202, body: { misrouted: true, resentTo: stationCode, stage: 'SHIPPING' } });
  expect((await post(station.token, `${path}/arrived`, {})).status).toBe(200);
  const done = await post(station.token, `${path}/picked-up`, { oldCardReturned: true, temporaryCardReturned: true });
  expect({ status: done.status, stage: done.body.stage }).toEqual({ status: 200, stage: 'COMPLETED' });

  const stages = await db('applicationStageHistory').where('applicationId', id).orderBy('id').select('stage', 'actor');
  expect(stages).toEqual([
    { stage: 'ACCEPTED', actor: station.id },
    { stage: 'HOME_REVIEW', actor: station.id },
    { stage: 'PRINTING', actor: reviewer.id },
    { stage: 'SHIPPING', actor: production.id },
    { stage: 'READY_FOR_PICKUP', actor: station.id },
    { stage: 'COMPLETED', actor: station.id },
  ]);
  const audit = await db('auditLog').where({ subjectType: 'application', subjectId: id }).orderBy('id').select('action', 'actor');
  expect(audit).toEqual([
    { action: 'application.accepted', actor: station.id },
    { action: 'review.requested', actor: station.id },
    { action: 'deadline.extended', actor: reviewer.id },
    { action: 'temporary_card.issued', actor: reviewer.id },
    { action: 'review.approved', actor: reviewer.id },
    { action: 'card.print_failed', actor: production.id },
    { action: 'card.printed', actor: production.id },
    { action: 'card.dispatched', actor: production.id },
    { action: 'card.misrouted', actor: otherStation.id },
    { action: 'card.arrived', actor: station.id },
    { action: 'application.picked_up', actor: station.id },
  ]);
});

test('when an account is disabled after the API let its step through, then the workflow refuses it: 403 actor_not_allowed, nothing written', async () => {
  const { db, api } = harness;
  const station = await account('station', { stationCode });
  const reviewer = await account('reviewer', { regionCode: COUNTIES.chengduWuhou });
  const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.chengduWuhou });
  const accepted = await call(api, 'POST', '/v1/applications', { token: station.token, body: acceptanceOf(citizen) });
  expect(accepted.status).toBe(201);
  const id: string = accepted.body.applicationId;
  // The account is disabled between the API's check and the activity's: simulated by a row lock the
  // disabling holds while the step is on its way (the activity's read of the account waits for it).
  const trx = await db.transaction();
  try {
    await trx('users').where('id', reviewer.id).update({ disabledAt: new Date() });
    const answer = call(api, 'POST', `/v1/applications/${id}/review`, { token: reviewer.token, body: { decision: 'approve' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await trx.commit();
    const result = await answer;
    expect({ status: result.status, code: result.body.code }).toEqual({ status: 403, code: 'actor_not_allowed' });
  } catch (error) {
    await trx.rollback().catch(() => undefined);
    throw error;
  }
  expect((await db('applications').where('id', id).first('stage')).stage).toBe('HOME_REVIEW');
  expect(await db('auditLog').where({ subjectType: 'application', subjectId: id, action: 'review.approved' })).toHaveLength(0);
});
