import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { applicationWorkflow } from '../../workflows';
import { queries, updates } from '../../workflows/contract';
import { COUNTIES, newCitizen, stationIn } from '../support/fixtures';
import { updateWithin } from '../support/bounds';
import { bundle, db, env } from './environmentPerFile';
import { newOfficial, officialsFor, recordHistory, rejectionOf, startApplication, withWorkers, type Officials } from './harness';

/**
 * Updates sent straight to the engine, as anyone reaching its port could: the actor they carry is
 * checked again by the activity that writes the step. A refused actor's update is rejected
 * `actor_not_allowed`, the workflow's state is as before and nothing is written — no stage row, no
 * audit row, no card.
 */
type Handle = WorkflowHandle<typeof applicationWorkflow>;


/** Everything a step could have changed: the workflow's state and the rows written for the application and person. */
async function snapshot(handle: Handle, applicationId: string, idNumber: string) {
  return {
    state: await handle.query(queries.state),
    application: await db('applications').where('id', applicationId).first(),
    stages: await db('applicationStageHistory').where('applicationId', applicationId).orderBy('id').select('stage', 'actor'),
    audit: await db('auditLog').where({ subjectType: 'application', subjectId: applicationId }).orderBy('id').select('action', 'actor'),
    cards: await db('cards').where('idNumber', idNumber).orderBy('validFrom').select('validFrom', 'status'),
    outbox: await db('outbox').whereRaw("payload->>'applicationId' = ?", [applicationId]).orderBy('id').select('topic'),
  };
}

const disabledReviewerOf = async (homeRegionCode: string) => {
  const id = await newOfficial(db, 'reviewer', { regionCode: homeRegionCode });
  await db('users').where('id', id).update({ disabledAt: new Date() });
  return id;
};

/** Runs `body` on a fresh application in HOME_REVIEW (home: Zhengzhou; accepted in Shenzhen) with its officials. */
async function onApplication(body: (handle: Handle, as: Officials, ids: { applicationId: string; idNumber: string; acceptingStationCode: string }) => Promise<void>, overrides = {}) {
  const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
  await withWorkers(env, bundle, db, async (prefix) => {
    const { handle, input } = await startApplication(env, prefix, citizen, overrides, COUNTIES.shenzhenNanshan);
    try {
      await body(handle, await officialsFor(db, input), { applicationId: input.applicationId, idNumber: citizen.idNumber, acceptingStationCode: input.acceptingStationCode });
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });
}

describe('an update sent straight to the engine', () => {
  test('when the review comes from an unknown user, a disabled reviewer, a reviewer of another region or a station, then each is rejected actor_not_allowed and nothing changes; the home reviewer is accepted', async () => {
    await onApplication(async (handle, as, { applicationId, idNumber }) => {
      const before = await snapshot(handle, applicationId, idNumber);
      expect(before.state.stage).toBe('HOME_REVIEW');
      const refused = {
        unknown: `reviewer-${randomUUID()}`,
        disabled: await disabledReviewerOf(COUNTIES.zhengzhouJinshui),
        otherRegion: await newOfficial(db, 'reviewer', { regionCode: COUNTIES.beijingChaoyang }),
        station: as.station,
      };
      for (const [who, actor] of Object.entries(refused)) {
        expect([who, await rejectionOf(updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor }] }))]).toEqual([who, 'actor_not_allowed']);
        expect([who, await snapshot(handle, applicationId, idNumber)]).toEqual([who, before]);
      }
      // A refusal is a step too.
      expect(await rejectionOf(updateWithin(handle, updates.review, { args: [{ decision: 'refuse', reason: 'no', actor: refused.otherRegion }] }))).toBe('actor_not_allowed');
      expect(await snapshot(handle, applicationId, idNumber)).toEqual(before);

      const approved = await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      expect(approved.stage).toBe('PRINTING');
      const after = await snapshot(handle, applicationId, idNumber);
      expect(after.application.stage).toBe('PRINTING');
      expect(after.stages.slice(before.stages.length)).toEqual([{ stage: 'PRINTING', actor: as.reviewer }]);
      expect(after.audit.slice(before.audit.length)).toEqual([{ action: 'review.approved', actor: as.reviewer }]);
      await recordHistory(handle, 'actor-checked');
    });
  });

  test('when an extension comes from a reviewer of another region, then the deadline stays where it was, in the workflow and in the read model; the home reviewer moves it', async () => {
    await onApplication(async (handle, as, { applicationId, idNumber }) => {
      const before = await snapshot(handle, applicationId, idNumber);
      const otherRegion = await newOfficial(db, 'reviewer', { regionCode: COUNTIES.beijingChaoyang });
      expect(await rejectionOf(updateWithin(handle, updates.extend, { args: [{ days: 20, reason: 'roads closed', actor: otherRegion }] }))).toBe('actor_not_allowed');
      const unchanged = await snapshot(handle, applicationId, idNumber);
      expect(unchanged).toEqual(before);
      expect(unchanged.state.extension).toBeUndefined();
      // Not taken: the one extension the law allows is still there to grant.
      const extended = await updateWithin(handle, updates.extend, { args: [{ days: 20, reason: 'roads closed', actor: as.reviewer }] });
      expect(Date.parse(extended.deadlineAt) - Date.parse(before.state.deadlineAt)).toBe(20 * 86_400_000);
      expect((await db('applications').where('id', applicationId).first('extensionDays')).extensionDays).toBe(20);
    });
  });

  test('when production steps and the pickup come from the wrong users, then each is rejected and no card is issued; the right ones complete the application', async () => {
    await onApplication(async (handle, as, { applicationId, idNumber, acceptingStationCode }) => {
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      const otherProvince = await newOfficial(db, 'production', { provinceCode: '110000' });
      let before = await snapshot(handle, applicationId, idNumber);
      expect(await rejectionOf(updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: otherProvince }] }))).toBe('actor_not_allowed');
      expect(await rejectionOf(updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: as.reviewer }] }))).toBe('actor_not_allowed');
      expect(await rejectionOf(updateWithin(handle, updates.printFailed, { args: [{ reason: 'chip', actor: as.station }] }))).toBe('actor_not_allowed');
      expect(await snapshot(handle, applicationId, idNumber)).toEqual(before);
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'EMS-A1', actor: as.production }] });

      // Another station claims the arrival at the accepting station, then at its own without the parcel's number.
      const otherStation = stationIn(COUNTIES.beijingChaoyang);
      const stranger = await newOfficial(db, 'station', { stationCode: otherStation });
      before = await snapshot(handle, applicationId, idNumber);
      expect(await rejectionOf(updateWithin(handle, updates.arrived, { args: [{ stationCode: acceptingStationCode, actor: stranger }] }))).toBe('actor_not_allowed');
      expect(await rejectionOf(updateWithin(handle, updates.arrived, { args: [{ stationCode: otherStation, trackingNumber: 'EMS-WRONG', actor: stranger }] }))).toBe('actor_not_allowed');
      expect(await snapshot(handle, applicationId, idNumber)).toEqual(before);
      await updateWithin(handle, updates.arrived, { args: [{ stationCode: acceptingStationCode, actor: as.station }] });

      before = await snapshot(handle, applicationId, idNumber);
      expect(before.state.stage).toBe('READY_FOR_PICKUP');
      for (const actor of [stranger, as.production, `station-${randomUUID()}`]) {
        expect(await rejectionOf(updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor }] }))).toBe('actor_not_allowed');
        expect(await snapshot(handle, applicationId, idNumber)).toEqual(before);
      }
      expect(before.cards.map((card) => card.validFrom)).not.toContain('2026-12-01');
      const done = await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] });
      expect(done.stage).toBe('COMPLETED');
      expect(await db('cards').where({ idNumber, validFrom: '2026-12-01' }).first('status')).toEqual({ status: 'ACTIVE' });
    });
  });

  test('when a withdrawal or a temporary card comes from another station or region, then it is rejected and the application goes on', async () => {
    await onApplication(
      async (handle, as, { applicationId, idNumber }) => {
        const before = await snapshot(handle, applicationId, idNumber);
        const stranger = await newOfficial(db, 'station', { stationCode: stationIn(COUNTIES.beijingChaoyang) });
        expect(await rejectionOf(updateWithin(handle, updates.withdraw, { args: [{ reason: 'not mine', actor: stranger }] }))).toBe('actor_not_allowed');
        const otherRegion = await newOfficial(db, 'reviewer', { regionCode: COUNTIES.chengduWuhou });
        expect(await rejectionOf(updateWithin(handle, updates.temporaryCardIssued, { args: [{ actor: otherRegion }] }))).toBe('actor_not_allowed');
        expect(await snapshot(handle, applicationId, idNumber)).toEqual(before);
        expect((await updateWithin(handle, updates.temporaryCardIssued, { args: [{ actor: as.reviewer }] })).temporaryCard?.issuedAt).toBeDefined();
        expect((await updateWithin(handle, updates.withdraw, { args: [{ reason: 'moved back home', actor: as.station }] })).stage).toBe('WITHDRAWN');
      },
      { temporaryCardRequested: true },
    );
  });
});
