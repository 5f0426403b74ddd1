import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { queries, updates } from '../../workflows/contract';
import { COUNTIES, newCitizen, stationIn } from '../support/fixtures';
import { applicationStart, applicationWorkflowId } from '../../api/applications/workflowId';
import { bundle, db, env, outbox, readModel } from './environmentPerFile';
import { CLOSE_BOUND_MS, resultWithin, updateWithin, within } from '../support/bounds';
import { applicationInput, DAY, newOfficial, officialsFor, recordHistory, rejectionOf, startApplication, withWorkers } from './harness';

/** The whole happy path, from acceptance to pickup, on an unloaded engine. */
const MAX_HAPPY_PATH_MS = 5_000;

describe('the application workflow', () => {
  test('when a station accepts a person (update-with-start, as the API does), then the run\'s first workflow task takes the update and schedules the acceptance\'s write, and the second answers it: two workflow tasks and one activity before the station\'s answer', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const input = applicationInput(prefix, citizen);
      const state = await within(env.client.workflow.executeUpdateWithStart(updates.accepted, { startWorkflowOperation: applicationStart(citizen.idNumber, input, prefix) }), CLOSE_BOUND_MS, 'the acceptance was not answered');
      expect(state.stage).toBe('HOME_REVIEW');
      expect(await readModel(input.applicationId)).toMatchObject({ stage: 'HOME_REVIEW' });
      const handle = env.client.workflow.getHandle(applicationWorkflowId(citizen.idNumber));
      const events = (await handle.fetchHistory()).events!;
      const answered = events.findIndex((event) => event.workflowExecutionUpdateCompletedEventAttributes);
      const acceptedAt = events.findIndex((event) => event.workflowExecutionUpdateAcceptedEventAttributes);
      const tasksDone = events.flatMap((event, index) => (event.workflowTaskCompletedEventAttributes ? [index] : []));
      expect(acceptedAt).toBeGreaterThan(tasksDone[0]);
      expect(acceptedAt).toBeLessThan(tasksDone[1]);
      expect(tasksDone.filter((index) => index < answered)).toHaveLength(2);
      const writes = events.slice(0, answered).filter((event) => event.activityTaskScheduledEventAttributes);
      expect(writes.map((event) => event.activityTaskScheduledEventAttributes!.activityType!.name)).toEqual(['recordAcceptance']);
      await handle.terminate('test over');
    });
  });

  test('when every step happens in order, then the new card is current, the old one superseded, and it took under five seconds', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const started = Date.now();
      const { handle, input } = await startApplication(env, prefix, citizen);
      const as = await officialsFor(db, input);
      expect((await handle.query(queries.state)).stage).toBe('HOME_REVIEW');
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'EMS123', actor: as.production }] });
      await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });
      const done = await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] });
      expect(done.stage).toBe('COMPLETED');
      const result = await resultWithin(handle, 'the application workflow did not complete after the pickup');
      expect(Date.now() - started).toBeLessThan(MAX_HAPPY_PATH_MS);
      expect(result.history.map((entry) => entry.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED']);
      expect(result.overdue).toBe(false);

      const cards = await db('cards').where('idNumber', citizen.idNumber).orderBy('validFrom').select('validFrom', 'status', 'issuedForApplicationId');
      expect(cards).toEqual([
        { validFrom: citizen.cards[0].validFrom, status: 'SUPERSEDED', issuedForApplicationId: null },
        { validFrom: '2026-12-01', status: 'ACTIVE', issuedForApplicationId: input.applicationId },
      ]);
      const row = await readModel(input.applicationId);
      expect(row.stage).toBe('COMPLETED');
      const history = await db('applicationStageHistory').where('applicationId', input.applicationId).orderBy('id').pluck('stage');
      expect(history).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED']);
      expect(await outbox(input.applicationId, 'print.job')).toHaveLength(1);
      await recordHistory(handle, 'happy-path');
    });
  });

  test('when fingerprints are captured at acceptance for someone without any on record, then the new card and the registry carry them', async () => {
    const citizen = await newCitizen(db, { hasFingerprints: false });
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen, { fingerprintCaptured: true });
      const as = await officialsFor(db, input);
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'EMS124', actor: as.production }] });
      await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });
      await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] });
      expect(await db('cards').where({ idNumber: citizen.idNumber, validFrom: '2026-12-01' }).first('hasFingerprints')).toEqual({ hasFingerprints: true });
      expect(await db('citizens').where('idNumber', citizen.idNumber).first('hasFingerprints')).toEqual({ hasFingerprints: true });
    });
  });

  test('when the home region refuses, then a reason is required and the application ends REFUSED', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen);
      const as = await officialsFor(db, input);
      expect(await rejectionOf(updateWithin(handle, updates.review, { args: [{ decision: 'refuse', actor: as.reviewer }] }))).toBe('reason_required');
      await updateWithin(handle, updates.review, { args: [{ decision: 'refuse', reason: 'appearance changed, no fingerprints on record', actor: as.reviewer }] });
      const result = await resultWithin(handle, 'the application workflow did not end after the refusal');
      expect(result.stage).toBe('REFUSED');
      expect((await readModel(input.applicationId)).refusalReason).toBe('appearance changed, no fingerprints on record');
      await recordHistory(handle, 'refused');
    });
  });

  test('when the home region extends the deadline, then it moves once by at most 30 days', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen);
      const as = await officialsFor(db, input);
      const before = await handle.query(queries.state);
      expect(await rejectionOf(updateWithin(handle, updates.extend, { args: [{ days: 31, reason: 'remote area', actor: as.reviewer }] }))).toBe('extension_too_long');
      const extended = await updateWithin(handle, updates.extend, { args: [{ days: 20, reason: 'remote area, roads closed', actor: as.reviewer }] });
      expect(Date.parse(extended.deadlineAt) - Date.parse(before.deadlineAt)).toBe(20 * DAY);
      expect(await rejectionOf(updateWithin(handle, updates.extend, { args: [{ days: 5, reason: 'again', actor: as.reviewer }] }))).toBe('extension_already_granted');
      expect(new Date((await readModel(input.applicationId)).deadlineAt).toISOString()).toBe(extended.deadlineAt);

      // Past the original deadline but within the extended one: not overdue.
      await env.sleep(65 * DAY);
      expect((await handle.query(queries.state)).overdue).toBe(false);
      await env.sleep(20 * DAY);
      expect((await handle.query(queries.state)).overdue).toBe(true);
      await updateWithin(handle, updates.withdraw, { args: [{ reason: 'moved back home', actor: as.station }] });
      await resultWithin(handle, 'the application workflow did not end after the withdrawal');
      await recordHistory(handle, 'extended-then-overdue');
    });
  });

  test('when the applicant withdraws before printing, then it ends WITHDRAWN; after printing starts, withdrawal is refused', async () => {
    const first = await newCitizen(db);
    const second = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, first);
      const as = await officialsFor(db, input);
      await updateWithin(handle, updates.withdraw, { args: [{ reason: 'found a faster way', actor: as.station }] });
      expect((await resultWithin(handle, 'the application workflow did not end after the withdrawal')).stage).toBe('WITHDRAWN');

      const printing = await startApplication(env, prefix, second);
      const printingAs = await officialsFor(db, printing.input);
      await updateWithin(printing.handle, updates.review, { args: [{ decision: 'approve', actor: printingAs.reviewer }] });
      expect(await rejectionOf(updateWithin(printing.handle, updates.withdraw, { args: [{ reason: 'too late', actor: printingAs.station }] }))).toBe('wrong_stage');
      expect((await printing.handle.query(queries.state)).stage).toBe('PRINTING');
      await printing.handle.terminate('test over');
    });
  });

  test('when the card is not ready by day 60, then managers are warned at day 50, the application turns overdue, and processing continues', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen);
      const as = await officialsFor(db, input);
      await env.sleep(49 * DAY);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(0);
      await env.sleep(2 * DAY);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(1);
      expect((await readModel(input.applicationId)).overdue).toBe(false);
      await env.sleep(10 * DAY);
      expect((await readModel(input.applicationId)).overdue).toBe(true);
      expect(await outbox(input.applicationId, 'deadline.overdue')).toHaveLength(2);

      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2027-01-10', validUntil: '2047-01-10', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'SF1', actor: as.production }] });
      await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });
      await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] });
      const result = await resultWithin(handle, 'the application workflow did not complete after the pickup');
      expect(result).toMatchObject({ stage: 'COMPLETED', overdue: true });
      await recordHistory(handle, 'overdue-then-completed');
    });
  });

  test('when the review waits, then the home region is reminded every 7 days until it decides', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen);
      const as = await officialsFor(db, input);
      await env.sleep(15 * DAY);
      const reminders = await outbox(input.applicationId, 'review.reminder');
      expect(reminders).toHaveLength(2);
      expect(reminders[0]).toMatchObject({ recipientRole: 'reviewer', recipientCode: citizen.homeRegionCode });
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await env.sleep(8 * DAY);
      expect(await outbox(input.applicationId, 'review.reminder')).toHaveLength(2);
      await handle.terminate('test over');
    });
  });

  test('when printing fails more often than the limit, then managers are alerted once and a reprint still succeeds', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen);
      const as = await officialsFor(db, input);
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      for (let attempt = 1; attempt <= 4; attempt++) {
        await updateWithin(handle, updates.printFailed, { args: [{ reason: `chip write failed #${attempt}`, actor: as.production }] });
      }
      expect(await outbox(input.applicationId, 'print.failures_exceeded')).toHaveLength(1);
      expect((await readModel(input.applicationId)).printFailures).toBe(4);
      const printed = await updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2036-12-01', actor: as.production }] });
      expect(printed.printed).toEqual({ validFrom: '2026-12-01', validUntil: '2036-12-01' });
      expect(await rejectionOf(updateWithin(handle, updates.printFailed, { args: [{ reason: 'late', actor: as.production }] }))).toBe('wrong_stage');
      await handle.terminate('test over');
    });
  });

  test('when the card arrives at another station, then it is flagged misrouted and stays in shipping until it reaches the accepting station', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen);
      const as = await officialsFor(db, input);
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'EMS9', actor: as.production }] });
      const beijing = stationIn(COUNTIES.beijingChaoyang);
      const wrong = await updateWithin(handle, updates.arrived, { args: [{ stationCode: beijing, trackingNumber: 'EMS9', actor: await newOfficial(db, 'station', { stationCode: beijing }) }] });
      expect(wrong.stage).toBe('SHIPPING');
      expect(wrong.misroutedArrivals).toEqual([stationIn(COUNTIES.beijingChaoyang)]);
      expect((await readModel(input.applicationId)).misrouted).toBe(true);
      expect(await outbox(input.applicationId, 'card.misrouted')).toHaveLength(1);
      const right = await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });
      expect(right.stage).toBe('READY_FOR_PICKUP');
      expect(await rejectionOf(updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: false, actor: as.station }] }))).toBe('old_card_not_returned');
      await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] });
      await resultWithin(handle, 'the application workflow did not complete after the pickup');
      await recordHistory(handle, 'misrouted');
    });
  });

  test('when a replacement for a lost card is accepted, then the lost card is invalid at once', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen, { kind: 'replacement', reason: 'lost' });
      const card = await db('cards').where({ idNumber: citizen.idNumber, validFrom: citizen.cards[0].validFrom }).first();
      expect(card.status).toBe('REPORTED_LOST');
      const report = await db('lossReports').where({ cardId: card.id }).first();
      expect(report).toMatchObject({ source: 'application', applicationId: input.applicationId, withdrawnAt: null });
      await handle.terminate('test over');
    });
  });

  test('when the same person applies again while one is in progress, then the engine refuses it, and so does the database', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle } = await startApplication(env, prefix, citizen);
      await expect(startApplication(env, prefix, citizen)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      await handle.terminate('first one abandoned without closing its read model');

      // The engine would now allow a new run; the read model still shows one in progress.
      const second = startApplication(env, prefix, citizen);
      const error = await second.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((error as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('duplicate_application');
      expect(await db('applications').where('idNumber', citizen.idNumber)).toHaveLength(1);
    });
  });

  test('when a temporary card is not issued within 3 days, then it is flagged late; it must be handed back at pickup', async () => {
    const citizen = await newCitizen(db);
    await withWorkers(env, bundle, db, async (prefix) => {
      const { handle, input } = await startApplication(env, prefix, citizen, { temporaryCardRequested: true });
      const as = await officialsFor(db, input);
      await env.sleep(2 * DAY);
      expect((await handle.query(queries.state)).temporaryCard?.overdue).toBe(false);
      await env.sleep(2 * DAY);
      expect((await handle.query(queries.state)).temporaryCard?.overdue).toBe(true);
      expect((await readModel(input.applicationId)).temporaryCardOverdue).toBe(true);
      await updateWithin(handle, updates.temporaryCardIssued, { args: [{ actor: as.reviewer }] });
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'EMS7', actor: as.production }] });
      await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });
      expect(await rejectionOf(updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] }))).toBe('temporary_card_not_returned');
      await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, temporaryCardReturned: true, actor: as.station }] });
      expect((await resultWithin(handle, 'the application workflow did not complete after the pickup')).temporaryCard).toMatchObject({ overdue: true, returned: true });
      await recordHistory(handle, 'temporary-card-late');
    });
  });
});
