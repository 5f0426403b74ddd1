import { call } from '../support/api';
import { acceptanceOf, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

/** A cross-region application from acceptance to pickup through the public HTTP API alone. */
let harness: ApplicationsApi;
const stationCode = stationIn(COUNTIES.hangzhouXihu);
const tokens = { station: '', reviewer: '', production: '' };

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['51'] });
  tokens.station = await newToken(harness.db, 'station', { stationCode });
  tokens.reviewer = await newToken(harness.db, 'reviewer', { regionCode: '510000' });
  tokens.production = await newToken(harness.db, 'production', { provinceCode: '510000' });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const post = (token: string, path: string, body: unknown) => call(harness.api, 'POST', path, { token, body });

describe('an application through every stage over HTTP', () => {
  test.each([
    { kind: 'renewal', pickup: { oldCardReturned: true }, oldCardAfterAcceptance: 'ACTIVE' },
    { kind: 'replacement', pickup: { oldCardReturned: false }, oldCardAfterAcceptance: 'REPORTED_LOST' },
  ])(
    'when a $kind is accepted, approved, printed, dispatched, arrives and is picked up, then it is COMPLETED with a timed history and the old card SUPERSEDED',
    async ({ kind, pickup, oldCardAfterAcceptance }) => {
      const { db } = harness;
      const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.chengduWuhou });
      const oldCard = citizen.cards[0];

      const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen, { kind, reason: kind === 'renewal' ? 'card expiring' : 'card lost on the metro' }));
      expect(accepted.status).toBe(201);
      // A replacement's answer adds the loss report its acceptance made.
      const answered = ['acceptedAt', 'acceptingStationCode', 'applicationId', 'deadlineAt', 'homeRegionCode', ...(kind === 'replacement' ? ['lossReport'] : []), 'receiptNumber', 'stage'];
      expect(Object.keys(accepted.body).sort()).toEqual(answered);
      if (kind === 'replacement') expect(accepted.body.lossReport).toMatchObject({ cardValidFrom: oldCard.validFrom, cardStatus: 'REPORTED_LOST', reportedAt: accepted.body.acceptedAt });
      expect(accepted.body.receiptNumber).toMatch(/^\d{6}-\d{7}$/);
      expect(accepted.body).toMatchObject({ stage: 'HOME_REVIEW', homeRegionCode: COUNTIES.chengduWuhou, acceptingStationCode: stationCode });
      const id: string = accepted.body.applicationId;
      const path = `/v1/applications/${id}`;
      expect((await db('cards').where({ idNumber: citizen.idNumber, validFrom: oldCard.validFrom }).first('status')).status).toBe(oldCardAfterAcceptance);

      const reviewed = await post(tokens.reviewer, `${path}/review`, { decision: 'approve' });
      expect(reviewed.status).toBe(200);
      expect(reviewed.body).toMatchObject({ applicationId: id, stage: 'PRINTING', overdue: false, refusalReason: null });

      const printed = await post(tokens.production, `${path}/printed`, {});
      expect(printed.status).toBe(200);
      expect(printed.body).toMatchObject({ stage: 'PRINTING', printFailures: 0 });

      const dispatched = await post(tokens.production, `${path}/dispatched`, { trackingNumber: 'EMS-LIFECYCLE-1' });
      expect(dispatched.status).toBe(200);
      expect(dispatched.body).toMatchObject({ stage: 'SHIPPING', trackingNumber: 'EMS-LIFECYCLE-1', misrouted: false });

      const arrived = await post(tokens.station, `${path}/arrived`, {});
      expect(arrived.status).toBe(200);
      expect(arrived.body).toMatchObject({ stage: 'READY_FOR_PICKUP', readyForPickupAt: expect.any(String), daysRemaining: null });

      const picked = await post(tokens.station, `${path}/picked-up`, pickup);
      expect(picked.status).toBe(200);
      expect(picked.body).toMatchObject({ stage: 'COMPLETED', closedAt: expect.any(String) });

      const read = await call(harness.api, 'GET', path, { token: tokens.station });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        applicationId: id,
        kind,
        stage: 'COMPLETED',
        acceptedAt: accepted.body.acceptedAt,
        deadlineAt: accepted.body.deadlineAt,
        overdue: false,
        daysRemaining: null,
        trackingNumber: 'EMS-LIFECYCLE-1',
      });
      const history: Array<{ stage: string; at: string }> = read.body.history;
      expect(history.map((entry) => entry.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED']);
      const times = history.map((entry) => Date.parse(entry.at));
      expect(times.every((time) => Number.isFinite(time))).toBe(true);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(history[0].at).toBe(accepted.body.acceptedAt);
      expect(history.at(-1)!.at).toBe(read.body.closedAt);

      const cards = await db('cards').where('idNumber', citizen.idNumber).orderBy('validFrom').select('validFrom', 'status', 'issuedForApplicationId');
      expect(cards).toEqual([
        expect.objectContaining({ validFrom: oldCard.validFrom, status: 'SUPERSEDED' }),
        expect.objectContaining({ validFrom: '2026-12-01', status: 'ACTIVE', issuedForApplicationId: id }),
      ]);
      expect(await db('applications').where('idNumber', citizen.idNumber).select('stage')).toEqual([{ stage: 'COMPLETED' }]);
    },
  );
});
