import { randomUUID } from 'node:crypto';
import { applicationWorkflowId } from '../../api/applications/workflowId';
import { call } from '../support/api';
import { acceptanceOf, expectProblem, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

/** Acceptance raced against itself: retries of one request, and two stations taking the same person. */
let harness: ApplicationsApi;
let stationToken: string;
let otherStationToken: string;
const stationCode = stationIn(COUNTIES.shanghaiPudong);
const otherStationCode = stationIn(COUNTIES.beijingChaoyang);
const RETRIES = 10;

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: [] });
  stationToken = await newToken(harness.db, 'station', { stationCode });
  otherStationToken = await newToken(harness.db, 'station', { stationCode: otherStationCode });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const accept = (token: string, body: unknown, key: string) => call(harness.api, 'POST', '/v1/applications', { token, body, headers: { 'Idempotency-Key': key } });

/** The engine's runs of the person's workflow id: one application is one run. */
async function runsOf(idNumber: string): Promise<number> {
  const workflowId = applicationWorkflowId(idNumber);
  let runs = 0;
  for await (const _ of harness.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
  return runs;
}

describe('POST /v1/applications under concurrent retries', () => {
  // A few rounds: the race between the first request's workflow start and its acceptance record is narrow.
  test.each([1, 2, 3])('when the same Idempotency-Key is sent ten times at once (round %i), then one application exists and every answer names it', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.chengduWuhou });
    const key = `retry-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: RETRIES }, () => accept(stationToken, acceptanceOf(citizen), key)));

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201].slice(-RETRIES));
    const ids = new Set(answers.map((answer) => answer.body.applicationId));
    expect(ids.size).toBe(1);
    const [applicationId] = ids;
    for (const answer of answers) {
      expect(answer.body).toEqual({
        applicationId,
        receiptNumber: answers[0].body.receiptNumber,
        stage: expect.stringMatching(/^(ACCEPTED|HOME_REVIEW)$/),
        acceptedAt: answers[0].body.acceptedAt,
        deadlineAt: answers[0].body.deadlineAt,
        homeRegionCode: COUNTIES.chengduWuhou,
        acceptingStationCode: stationCode,
      });
    }

    const rows = await harness.db('applications').where('idNumber', citizen.idNumber).select('id', 'stage', 'idempotencyKey');
    expect(rows).toEqual([{ id: applicationId, stage: 'HOME_REVIEW', idempotencyKey: key }]);
    expect(await harness.db('applicationStageHistory').where('applicationId', applicationId).orderBy('id').pluck('stage')).toEqual(['ACCEPTED', 'HOME_REVIEW']);
    expect(await harness.db('auditLog').where({ subjectId: applicationId, action: 'application.accepted' })).toHaveLength(1);
    expect(await runsOf(citizen.idNumber)).toBe(1);
  });

  test('when the same key is sent again after the application is recorded, then 200 with the same application and nothing new is written', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.chengduWuhou });
    const key = `later-${randomUUID()}`;
    const first = await accept(stationToken, acceptanceOf(citizen), key);
    const again = await accept(stationToken, acceptanceOf(citizen), key);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    expect(await harness.db('applications').where('idNumber', citizen.idNumber)).toHaveLength(1);
    expect(await runsOf(citizen.idNumber)).toBe(1);
  });
});

describe('POST /v1/applications from two stations at the same moment', () => {
  test.each([1, 2, 3])('when two stations accept the same person at once with their own keys (round %i), then one 201 and one 409 duplicate_application naming it', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.chengduWuhou });
    const answers = await Promise.all([
      accept(stationToken, acceptanceOf(citizen), `a-${randomUUID()}`),
      accept(otherStationToken, acceptanceOf(citizen), `b-${randomUUID()}`),
    ]);

    const won = answers.filter((answer) => answer.status === 201);
    const lost = answers.filter((answer) => answer.status !== 201);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expectProblem(lost[0], 409, 'duplicate_application');
    expect(lost[0].body.applicationId).toBe(won[0].body.applicationId);

    const rows = await harness.db('applications').where('idNumber', citizen.idNumber).select('id', 'acceptingStationCode');
    expect(rows).toEqual([{ id: won[0].body.applicationId, acceptingStationCode: won[0].body.acceptingStationCode }]);
    expect(await runsOf(citizen.idNumber)).toBe(1);
  });
});
