import { DAY_MS } from '../../domain';
import { queries, updates, type ApplicationInput } from '../../workflows/contract';
import { resultWithin, updateWithin } from '../support/bounds';
import { newCitizen } from '../support/fixtures';
import { bundle, db, env, outbox, readModel } from './environmentPerFile';
import { officialsFor, recordHistory, startApplication, withWorkers, type Officials } from './harness';
import { decided, firedAt, recorded, timelineOf } from './timeline';

/**
 * The deadline, warning, reminder and temporary-card timers, to the millisecond. Two kinds of check:
 * - what the system shows a little before and a little after each instant (the outbox, the read
 *   model), with a minute on either side because the test server's clock runs in real time too;
 * - the exact instant each timer was set for, read from the workflow's history (`timeline.ts`).
 * Settings as in production: 60-day deadline, warning 10 days before, review reminder every 7 days.
 */

const MINUTE = 60_000;
/** How long after its instant a decision may be taken: the time the worker needs, never hours. */
const PROMPTLY = MINUTE;

const sleepUntil = async (at: number) => env.sleep(Math.max(0, at - (await env.currentTimeMs())));
/**
 * Runs `body` on a fresh application with workers of its own; the workflow is terminated however the
 * body ends, so a failed assertion cannot leave a task out with a stopped worker and stall the clock
 * for the tests after it.
 */
async function scenario(overrides: Partial<ApplicationInput>, body: (application: Awaited<ReturnType<typeof startApplication>> & { as: Officials }) => Promise<void>): Promise<void> {
  const citizen = await newCitizen(db);
  await withWorkers(env, bundle, db, async (prefix) => {
    const application = await startApplication(env, prefix, citizen, overrides);
    try {
      await body({ ...application, as: await officialsFor(db, application.input) });
    } finally {
      await application.handle.terminate('test over').catch(() => undefined);
    }
  });
}
const expectPrompt = (instants: number[], at: number) => {
  expect(instants).toHaveLength(1);
  expect(instants[0]).toBeGreaterThanOrEqual(at);
  expect(instants[0] - at).toBeLessThan(PROMPTLY);
};

/**
 * After an extension: a minute either side of the new `warning` the second warning is sent, and a
 * minute either side of the new `deadline` the case turns overdue.
 */
async function expectRearmed(applicationId: string, { warning, deadline }: { warning: number; deadline: number }): Promise<void> {
  await sleepUntil(warning - MINUTE);
  expect(await outbox(applicationId, 'deadline.warning')).toHaveLength(1);
  await sleepUntil(warning + MINUTE);
  expect(await outbox(applicationId, 'deadline.warning')).toHaveLength(2);
  await sleepUntil(deadline - MINUTE);
  expect((await readModel(applicationId)).overdue).toBe(false);
  await sleepUntil(deadline + MINUTE);
  expect((await readModel(applicationId)).overdue).toBe(true);
}

describe('the deadline timers', () => {
  test('when the card is never ready, then the warning comes at exactly deadline − 10 days, overdue at the first instant past the deadline, and review reminders every 7 days stop before it', async () => {
    await scenario({}, async ({ handle, input }) => {
      const state = await handle.query(queries.state);
      const accepted = Date.parse(state.acceptedAt);
      const deadline = Date.parse(state.deadlineAt);
      const reviewRequested = Date.parse(state.history.find((entry) => entry.stage === 'HOME_REVIEW')!.at);
      expect(deadline - accepted).toBe(60 * DAY_MS);
      const warning = deadline - 10 * DAY_MS;

      await sleepUntil(warning - MINUTE);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(0);
      await sleepUntil(warning + MINUTE);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(1);

      await sleepUntil(deadline - MINUTE);
      expect((await readModel(input.applicationId)).overdue).toBe(false);
      expect(await outbox(input.applicationId, 'deadline.overdue')).toHaveLength(0);
      await sleepUntil(deadline + MINUTE);
      expect((await readModel(input.applicationId)).overdue).toBe(true);
      expect(await outbox(input.applicationId, 'deadline.overdue')).toHaveLength(2);

      // Twenty days past the deadline, still waiting for review: no reminder after the deadline.
      await env.sleep(20 * DAY_MS);
      const reminders = (await outbox(input.applicationId, 'review.reminder')).map((row) => row.dedupeKey);
      expect(reminders).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `${input.applicationId}:review.reminder:${n}`));
      expect((await handle.query(queries.state)).reviewReminders).toBe(8);

      const timeline = await timelineOf(handle);
      const reminderTimes = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => reviewRequested + n * 7 * DAY_MS);
      expect(firedAt(timeline)).toEqual([...reminderTimes, warning, deadline + 1].sort((a, b) => a - b));
      expect(timeline.timers.filter((timer) => !timer.fired)).toEqual([]);
      expectPrompt(decided(timeline, 'deadline.warning'), warning);
      expectPrompt(recorded(timeline, 'deadline.overdue'), deadline + 1);
      expect(decided(timeline, 'review.reminder').every((at) => at < deadline)).toBe(true);
    });
  });

  test('when the card is ready before the warning, then there is neither warning nor overdue, ever', async () => {
    await scenario({}, async ({ handle, input, as }) => {
      const deadline = Date.parse((await handle.query(queries.state)).deadlineAt);
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2027-01-10', validUntil: '2047-01-10', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'EMS-T1', actor: as.production }] });
      await sleepUntil(deadline - 10 * DAY_MS - MINUTE);
      await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });

      await sleepUntil(deadline + 5 * DAY_MS);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(0);
      expect(await outbox(input.applicationId, 'deadline.overdue')).toHaveLength(0);
      expect((await readModel(input.applicationId)).overdue).toBe(false);
      await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] });
      expect(await resultWithin(handle, 'the application workflow did not complete after the pickup')).toMatchObject({ stage: 'COMPLETED', overdue: false, warned: false });
      const timeline = await timelineOf(handle);
      expect(timeline.timers.filter((timer) => timer.target === deadline + 1 || timer.target === deadline - 10 * DAY_MS).every((timer) => !timer.fired)).toBe(true);
    });
  });

  test('when the card is ready a minute before the deadline, then the warning was sent but it is not overdue', async () => {
    await scenario({}, async ({ handle, input, as }) => {
      const deadline = Date.parse((await handle.query(queries.state)).deadlineAt);
      await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });
      await updateWithin(handle, updates.printed, { args: [{ validFrom: '2027-01-10', validUntil: '2047-01-10', actor: as.production }] });
      await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: 'EMS-T2', actor: as.production }] });
      await sleepUntil(deadline - MINUTE);
      const ready = await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });
      expect(Date.parse(ready.readyForPickupAt!)).toBeLessThanOrEqual(deadline);

      await sleepUntil(deadline + 5 * DAY_MS);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(1);
      expect(await outbox(input.applicationId, 'deadline.overdue')).toHaveLength(0);
      expect((await readModel(input.applicationId)).overdue).toBe(false);
      expect((await handle.query(queries.state)).overdue).toBe(false);
      const timeline = await timelineOf(handle);
      expect(timeline.timers.find((timer) => timer.target === deadline + 1)?.fired).toBe(false);
    });
  });

  test('when the deadline is extended after the warning, then the warning is re-armed at exactly the new deadline − 10 days, and overdue follows the new deadline', async () => {
    await scenario({}, async ({ handle, input, as }) => {
      const state = await handle.query(queries.state);
      const firstDeadline = Date.parse(state.deadlineAt);
      const reviewRequested = Date.parse(state.history.find((entry) => entry.stage === 'HOME_REVIEW')!.at);
      await sleepUntil(firstDeadline - 10 * DAY_MS + MINUTE);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(1);

      const extended = await updateWithin(handle, updates.extend, { args: [{ days: 20, reason: 'roads closed', actor: as.reviewer }] });
      const deadline = Date.parse(extended.deadlineAt);
      expect(deadline - firstDeadline).toBe(20 * DAY_MS);
      expect(extended.warned).toBe(false);
      const warning = deadline - 10 * DAY_MS;

      await sleepUntil(firstDeadline + MINUTE);
      expect((await readModel(input.applicationId)).overdue).toBe(false);
      await expectRearmed(input.applicationId, { warning, deadline });
      await env.sleep(10 * DAY_MS);

      const timeline = await timelineOf(handle);
      // Reminders go on to the new deadline: 11 of them, the last on day 77.
      const reminderTimes = Array.from({ length: 11 }, (_, i) => reviewRequested + (i + 1) * 7 * DAY_MS);
      expect(firedAt(timeline)).toEqual([...reminderTimes, firstDeadline - 10 * DAY_MS, warning, deadline + 1].sort((a, b) => a - b));
      const warnings = decided(timeline, 'deadline.warning');
      expect(warnings).toHaveLength(2);
      expectPrompt(warnings.slice(1), warning);
      expectPrompt(recorded(timeline, 'deadline.overdue'), deadline + 1);
      await updateWithin(handle, updates.withdraw, { args: [{ reason: 'moved back home', actor: as.station }] });
      await resultWithin(handle, 'the application workflow did not end after the withdrawal');
      await recordHistory(handle, 'extended-after-warning-domain-timers');
    });
  });

  test('when the deadline is extended after it passed, to a new deadline ahead, then overdue is cleared at once and the warning and overdue are armed again at exactly the new instants', async () => {
    await scenario({}, async ({ handle, input, as }) => {
      const firstDeadline = Date.parse((await handle.query(queries.state)).deadlineAt);
      await sleepUntil(firstDeadline + 2 * DAY_MS);
      expect((await readModel(input.applicationId)).overdue).toBe(true);
      expect(await outbox(input.applicationId, 'deadline.overdue')).toHaveLength(2);

      const extended = await updateWithin(handle, updates.extend, { args: [{ days: 22, reason: 'floods on the roads', actor: as.reviewer }] });
      const deadline = Date.parse(extended.deadlineAt);
      // 22 days: the new warning (day 72) falls on no review reminder's instant (every 7 days).
      expect(deadline - firstDeadline).toBe(22 * DAY_MS);
      expect({ overdue: extended.overdue, warned: extended.warned }).toEqual({ overdue: false, warned: false });
      expect((await readModel(input.applicationId)).overdue).toBe(false);
      const warning = deadline - 10 * DAY_MS;

      await expectRearmed(input.applicationId, { warning, deadline });
      // Managers hear of each deadline missed, once each (the keys carry the deadline).
      expect((await outbox(input.applicationId, 'deadline.overdue')).map((row) => row.dedupeKey).sort()).toEqual(
        [firstDeadline, deadline].flatMap((at) => [new Date(at).toISOString(), `${new Date(at).toISOString()}:home`]).map((key) => `${input.applicationId}:deadline.overdue:${key}`).sort(),
      );

      const timeline = await timelineOf(handle);
      expect(firedAt(timeline).filter((at) => [firstDeadline - 10 * DAY_MS, firstDeadline + 1, warning, deadline + 1].includes(at))).toEqual([firstDeadline - 10 * DAY_MS, firstDeadline + 1, warning, deadline + 1]);
      const warnings = decided(timeline, 'deadline.warning');
      expect(warnings).toHaveLength(2);
      expectPrompt(warnings.slice(1), warning);
      const overdueMarks = recorded(timeline, 'deadline.overdue');
      expect(overdueMarks).toHaveLength(2);
      expectPrompt(overdueMarks.slice(0, 1), firstDeadline + 1);
      expectPrompt(overdueMarks.slice(1), deadline + 1);
      await updateWithin(handle, updates.withdraw, { args: [{ reason: 'moved back home', actor: as.station }] });
      await resultWithin(handle, 'the application workflow did not end after the withdrawal');
      await recordHistory(handle, 'extended-after-overdue');
    });
  });

  test('when the deadline is extended after it passed, to a new deadline still behind, then it stays overdue and nothing is armed again', async () => {
    await scenario({}, async ({ handle, input, as }) => {
      const firstDeadline = Date.parse((await handle.query(queries.state)).deadlineAt);
      await sleepUntil(firstDeadline + 25 * DAY_MS);
      const extended = await updateWithin(handle, updates.extend, { args: [{ days: 20, reason: 'floods on the roads', actor: as.reviewer }] });
      expect(extended.overdue).toBe(true);
      expect((await readModel(input.applicationId)).overdue).toBe(true);
      await env.sleep(10 * DAY_MS);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(1);
      expect(await outbox(input.applicationId, 'deadline.overdue')).toHaveLength(2);
      expect(recorded(await timelineOf(handle), 'deadline.overdue')).toHaveLength(1);
    });
  });

  test('when the deadline is extended before the warning, then the warning comes only at the new deadline − 10 days', async () => {
    await scenario({}, async ({ handle, input, as }) => {
      await env.sleep(10 * DAY_MS);
      const extended = await updateWithin(handle, updates.extend, { args: [{ days: 5, reason: 'remote area', actor: as.reviewer }] });
      const deadline = Date.parse(extended.deadlineAt);
      await sleepUntil(deadline - 10 * DAY_MS - MINUTE);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(0);
      await sleepUntil(deadline - 10 * DAY_MS + MINUTE);
      expect(await outbox(input.applicationId, 'deadline.warning')).toHaveLength(1);
      expectPrompt(decided(await timelineOf(handle), 'deadline.warning'), deadline - 10 * DAY_MS);
    });
  });
});

describe('the temporary card timer', () => {
  test('when the temporary card is not issued, then it is flagged late at exactly 3 days after acceptance', async () => {
    await scenario({ temporaryCardRequested: true }, async ({ handle, input }) => {
      const state = await handle.query(queries.state);
      const due = Date.parse(state.temporaryCard!.dueAt);
      expect(due - Date.parse(state.acceptedAt)).toBe(3 * DAY_MS);
      await sleepUntil(due - MINUTE);
      expect((await readModel(input.applicationId)).temporaryCardOverdue).toBe(false);
      await sleepUntil(due + MINUTE);
      expect((await readModel(input.applicationId)).temporaryCardOverdue).toBe(true);
      expect(await outbox(input.applicationId, 'temporary_card.overdue')).toHaveLength(1);
      const timeline = await timelineOf(handle);
      expect(timeline.timers.find((timer) => timer.target === due)?.fired).toBe(true);
      expectPrompt(recorded(timeline, 'temporary_card.overdue'), due);
    });
  });

  test('when the temporary card is issued a minute before it is due, then it is never flagged late', async () => {
    await scenario({ temporaryCardRequested: true }, async ({ handle, input, as }) => {
      const due = Date.parse((await handle.query(queries.state)).temporaryCard!.dueAt);
      await sleepUntil(due - MINUTE);
      await updateWithin(handle, updates.temporaryCardIssued, { args: [{ actor: as.reviewer }] });
      await env.sleep(10 * DAY_MS);
      expect((await handle.query(queries.state)).temporaryCard).toMatchObject({ overdue: false, issuedAt: expect.any(String) });
      expect((await readModel(input.applicationId)).temporaryCardOverdue).toBe(false);
      expect(await outbox(input.applicationId, 'temporary_card.overdue')).toHaveLength(0);
      const timeline = await timelineOf(handle);
      expect(timeline.timers.find((timer) => timer.target === due)?.fired).toBe(false);
    });
  });
});
