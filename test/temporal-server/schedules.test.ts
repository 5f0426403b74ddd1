/**
 * Schedules through the official client (`client.schedule.*`): exact firing times of interval and
 * calendar specs (Asia/Shanghai), each overlap policy's effect, trigger, backfill, pause, update,
 * list, delete, limited actions, pause on failure, and the started workflows replaying. The firings
 * are driven by time skipping. `fileBacked.test.ts` runs this file again with a `--db-filename`;
 * the last test restarts an in-process server on its file after a simulated outage.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import Long from 'long';
import { Client, Connection, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { start as startServer } from '../../temporal-server';
import { expectReplays, localEnv, timeSkippingEnv, uniqueId, uniqueQueue, withWorker } from './helpers';
import { resultWithin } from '../support/bounds';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** RFC 3339 at whole seconds, as the real server appends to scheduled workflow ids. */
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const ceilTo = (ms: number, step: number) => Math.floor(ms / step) * step + step;

async function describeTimes(handle: ScheduleHandle) {
  const description = await handle.describe();
  return {
    description,
    scheduled: description.info.recentActions.map((action) => action.scheduledAt.getTime()),
    ids: description.info.recentActions.map((action) => (action.action as { workflow: { workflowId: string } }).workflow.workflowId),
    next: description.info.nextActionTimes.map((time) => time.getTime()),
  };
}

describe('schedules under time skipping', () => {
  let env: TestWorkflowEnvironment;
  /** Results read without unlocking time skipping (the environment's client unlocks it while waiting). */
  const plain = () => new Client({ connection: env.connection });

  /** Workflows left sleeping would, once time skips far enough, wake on a queue nobody polls any more and hold the clock. */
  async function terminateOpen(ids: string[]): Promise<void> {
    for (const id of ids) {
      const handle = plain().workflow.getHandle(id);
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test over');
    }
  }

  beforeAll(async () => {
    env = await timeSkippingEnv();
  }, 60_000);

  afterAll(async () => {
    await env?.teardown();
  });

  test('an hourly interval fires at each hour boundary, starting <workflowId>-<time> with the schedule search attributes, and the runs replay', async () => {
    await withWorker(env, async (taskQueue) => {
      const scheduleId = uniqueId('every-hour');
      const workflowId = uniqueId('hourly');
      const now = await env.currentTimeMs();
      const handle = await env.client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: 'returnsInput', args: ['tick'], taskQueue, workflowId, memo: { purpose: 'digest' } },
      });
      const expected = [ceilTo(now, HOUR), ceilTo(now, HOUR) + HOUR, ceilTo(now, HOUR) + 2 * HOUR];
      expect((await describeTimes(handle)).next.slice(0, 3)).toEqual(expected);

      await env.sleep(ceilTo(now, HOUR) + 2 * HOUR + 30 * MINUTE - now);
      const { description, scheduled, ids, next } = await describeTimes(handle);
      expect(scheduled).toEqual(expected);
      expect(ids).toEqual(expected.map((at) => `${workflowId}-${iso(at)}`));
      expect(description.info.numActionsTaken).toBe(3);
      expect(next[0]).toBe(expected[2] + HOUR);
      await handle.delete();
      for (const id of ids) {
        const run = plain().workflow.getHandle(id);
        expect(await resultWithin(run)).toBe('tick');
        const info = await run.describe();
        expect(info.memo).toEqual({ purpose: 'digest' });
        const fields = info.raw.workflowExecutionInfo!.searchAttributes!.indexedFields!;
        expect(JSON.parse(Buffer.from(fields.TemporalScheduledById.data!).toString())).toBe(scheduleId);
        expect(JSON.parse(Buffer.from(fields.TemporalScheduledStartTime.data!).toString())).toBe(id.slice(workflowId.length + 1));
        await expectReplays(run);
      }
      // The predefined attributes are in visibility: operators find a schedule's runs by them.
      const found: string[] = [];
      for await (const run of plain().workflow.list({ query: `TemporalScheduledById = '${scheduleId}' AND TemporalScheduledStartTime >= '${iso(expected[1])}' ORDER BY StartTime ASC` })) found.push(run.workflowId);
      expect(found).toEqual(ids.slice(1));
    });
  });

  test('a calendar in Asia/Shanghai fires at 09:30 local (01:30 UTC) on weekdays only; cron strings compile to the same calendar', async () => {
    await withWorker(env, async (taskQueue) => {
      const now = await env.currentTimeMs();
      const weekdays: number[] = [];
      for (let at = Math.floor(now / DAY) * DAY + 90 * MINUTE; weekdays.length < 10; at += DAY) {
        // Shanghai is UTC+8 all year: 01:30 UTC is 09:30 there, on the same date.
        const day = new Date(at + 8 * HOUR).getUTCDay();
        if (at > now && day !== 0 && day !== 6) weekdays.push(at);
      }
      const action = { type: 'startWorkflow' as const, workflowType: 'returnsInput', args: [1], taskQueue };
      const calendar = await env.client.schedule.create({
        scheduleId: uniqueId('shanghai'),
        spec: { calendars: [{ hour: 9, minute: 30, dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' } }], timezone: 'Asia/Shanghai' },
        action: { ...action, workflowId: uniqueId('calendar') },
      });
      const cron = await env.client.schedule.create({
        scheduleId: uniqueId('shanghai-cron'),
        spec: { cronExpressions: ['30 9 * * MON-FRI'], timezone: 'Asia/Shanghai' },
        action: { ...action, workflowId: uniqueId('cron') },
      });
      for (const handle of [calendar, cron]) {
        const { description, next } = await describeTimes(handle);
        expect(next).toEqual(weekdays);
        expect(description.spec.timezone).toBe('Asia/Shanghai');
        expect(description.spec.calendars).toHaveLength(1);
        expect(description.spec.calendars![0].hour).toEqual([{ start: 9, end: 9, step: 1 }]);
        expect(description.spec.calendars![0].dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
      }
      await env.sleep(weekdays[0] + MINUTE - now);
      for (const handle of [calendar, cron]) {
        const { scheduled, next } = await describeTimes(handle);
        expect(scheduled).toEqual([weekdays[0]]);
        expect(next[0]).toBe(weekdays[1]);
        await handle.delete();
      }
    });
  });

  test('skip calendars, start and end times bound the firings', async () => {
    const now = await env.currentTimeMs();
    const startAt = ceilTo(now, DAY) + 2 * DAY;
    const handle = await env.client.schedule.create({
      scheduleId: uniqueId('bounded'),
      spec: { intervals: [{ every: '6h', offset: '1h' }], skip: [{ hour: 7 }], startAt: new Date(startAt), endAt: new Date(startAt + DAY) },
      action: { type: 'startWorkflow', workflowType: 'returnsInput', taskQueue: uniqueQueue(), workflowId: uniqueId('bounded') },
    });
    // 01:00, (07:00 skipped), 13:00, 19:00 on the first day; the end is inclusive of nothing after it.
    expect((await describeTimes(handle)).next).toEqual([startAt + HOUR, startAt + 13 * HOUR, startAt + 19 * HOUR]);
    await handle.delete();
  });

  const policies: Array<[ScheduleOverlapPolicy, string, (d: Awaited<ReturnType<typeof describeTimes>>, first: number) => Promise<void>]> = [
    [
      ScheduleOverlapPolicy.SKIP,
      'sleepsForever',
      async ({ description, scheduled }, first) => {
        expect(scheduled).toEqual([first]);
        expect(description.info.numActionsSkippedOverlap).toBe(2);
        expect(description.info.runningActions).toHaveLength(1);
      },
    ],
    [
      ScheduleOverlapPolicy.BUFFER_ONE,
      'sleepsForever',
      async ({ description, scheduled }, first) => {
        expect(scheduled).toEqual([first]);
        expect(description.info.numActionsSkippedOverlap).toBe(1);
        expect(description.raw.info!.bufferSize!.toString()).toBe('1');
      },
    ],
    [
      ScheduleOverlapPolicy.BUFFER_ALL,
      'sleepsForever',
      async ({ description, scheduled }, first) => {
        expect(scheduled).toEqual([first]);
        expect(description.info.numActionsSkippedOverlap).toBe(0);
        expect(description.raw.info!.bufferSize!.toString()).toBe('2');
      },
    ],
    [
      ScheduleOverlapPolicy.CANCEL_OTHER,
      'waitsForCancel',
      async ({ scheduled, ids }, first) => {
        expect(scheduled).toEqual([first, first + HOUR, first + 2 * HOUR]);
        expect((await plain().workflow.getHandle(ids[2]).describe()).status.name).toBe('RUNNING');
        expect(await resultWithin(plain().workflow.getHandle(ids[0]))).toBe('cancelled');
        expect(await resultWithin(plain().workflow.getHandle(ids[1]))).toBe('cancelled');
        await expectReplays(plain().workflow.getHandle(ids[0]));
      },
    ],
    [
      ScheduleOverlapPolicy.TERMINATE_OTHER,
      'sleepsForever',
      async ({ scheduled, ids }, first) => {
        expect(scheduled).toEqual([first, first + HOUR, first + 2 * HOUR]);
        expect((await plain().workflow.getHandle(ids[0]).describe()).status.name).toBe('TERMINATED');
        expect((await plain().workflow.getHandle(ids[1]).describe()).status.name).toBe('TERMINATED');
        expect((await plain().workflow.getHandle(ids[2]).describe()).status.name).toBe('RUNNING');
      },
    ],
    [
      ScheduleOverlapPolicy.ALLOW_ALL,
      'sleepsForever',
      async ({ description, scheduled, ids }, first) => {
        expect(scheduled).toEqual([first, first + HOUR, first + 2 * HOUR]);
        for (const id of ids) expect((await plain().workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
        expect(description.info.numActionsSkippedOverlap).toBe(0);
      },
    ],
  ];

  test.each(policies)('overlap policy %s with three hourly firings while the first run is still open', async (overlap, workflowType, check) => {
    await withWorker(env, async (taskQueue) => {
      const now = await env.currentTimeMs();
      const first = ceilTo(now, HOUR);
      const handle = await env.client.schedule.create({
        scheduleId: uniqueId(`overlap-${overlap}`),
        spec: { intervals: [{ every: '1h' }] },
        policies: { overlap },
        action: { type: 'startWorkflow', workflowType, taskQueue, workflowId: uniqueId('overlap') },
      });
      await env.sleep(first + 2 * HOUR + 30 * MINUTE - now);
      const described = await describeTimes(handle);
      // Deleted first: awaiting a result lets time skip, and the schedule would go on firing.
      await handle.delete();
      try {
        await check(described, first);
      } finally {
        await terminateOpen(described.ids);
      }
    });
  });

  test('BUFFER_ONE starts the buffered firing as soon as the running workflow closes', async () => {
    await withWorker(env, async (taskQueue) => {
      const now = await env.currentTimeMs();
      const first = ceilTo(now, HOUR);
      const workflowId = uniqueId('buffered');
      const handle = await env.client.schedule.create({
        scheduleId: uniqueId('buffer-one'),
        spec: { intervals: [{ every: '1h' }] },
        policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE },
        action: { type: 'startWorkflow', workflowType: 'sleepsForever', taskQueue, workflowId },
      });
      await env.sleep(first + HOUR + 30 * MINUTE - now);
      expect((await describeTimes(handle)).scheduled).toEqual([first]);
      await plain().workflow.getHandle(`${workflowId}-${iso(first)}`).terminate('done');
      const { scheduled, ids, description } = await describeTimes(handle);
      expect(scheduled).toEqual([first, first + HOUR]);
      expect(ids[1]).toBe(`${workflowId}-${iso(first + HOUR)}`);
      expect(description.info.runningActions.map((run) => run.workflow.workflowId)).toEqual([ids[1]]);
      await handle.delete();
      await terminateOpen(ids);
    });
  });

  test('limited actions stop after the last one; pause on failure pauses with the failure as note', async () => {
    await withWorker(env, async (taskQueue) => {
      const now = await env.currentTimeMs();
      const first = ceilTo(now, HOUR);
      const limited = await env.client.schedule.create({
        scheduleId: uniqueId('limited'),
        spec: { intervals: [{ every: '1h' }] },
        state: { remainingActions: 2 },
        action: { type: 'startWorkflow', workflowType: 'returnsInput', args: [1], taskQueue, workflowId: uniqueId('limited') },
      });
      const failing = await env.client.schedule.create({
        scheduleId: uniqueId('fails'),
        spec: { intervals: [{ every: '1h' }] },
        policies: { pauseOnFailure: true },
        action: { type: 'startWorkflow', workflowType: 'retriesActivity', args: [5, 1, ['Fatal']], taskQueue, workflowId: uniqueId('fails') },
      });
      await env.sleep(first + 3 * HOUR + 30 * MINUTE - now);
      const limitedNow = await describeTimes(limited);
      expect(limitedNow.scheduled).toEqual([first, first + HOUR]);
      expect(limitedNow.description.state.remainingActions).toBe(0);
      expect(limitedNow.next).toEqual([]);
      const failed = await describeTimes(failing);
      expect(failed.scheduled).toEqual([first]);
      expect(failed.description.state.paused).toBe(true);
      expect(failed.description.state.note).toMatch(new RegExp(`^paused due to workflow failure: ${failed.ids[0]}: `));
      await limited.delete();
      await failing.delete();
    });
  });
});

describe('schedule calls', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await localEnv();
  }, 60_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const action = (taskQueue: string, workflowId: string) => ({ type: 'startWorkflow' as const, workflowType: 'returnsInput', args: ['x'], taskQueue, workflowId });

  test('create conflicts on the id, describe shows defaults, trigger starts now, backfill starts each past firing of the range', async () => {
    await withWorker(env, async (taskQueue) => {
      const scheduleId = uniqueId('calls');
      const workflowId = uniqueId('calls');
      const handle = await env.client.schedule.create({ scheduleId, spec: { intervals: [{ every: '1d' }] }, action: action(taskQueue, workflowId), memo: { owner: 'ops' } });
      await expect(env.client.schedule.create({ scheduleId, spec: { intervals: [{ every: '1d' }] }, action: action(taskQueue, workflowId) })).rejects.toBeInstanceOf(ScheduleAlreadyRunning);

      const described = await handle.describe();
      expect(described.policies).toEqual({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 365 * DAY, pauseOnFailure: false });
      expect(described.memo).toEqual({ owner: 'ops' });
      expect(described.info.nextActionTimes[0].getTime()).toBe(ceilTo(Date.now(), DAY));

      const before = Date.now();
      await handle.trigger();
      const triggered = await describeTimes(handle);
      expect(triggered.scheduled).toHaveLength(1);
      expect(triggered.scheduled[0]).toBeGreaterThanOrEqual(before - 1000);
      expect(triggered.ids[0]).toBe(`${workflowId}-${iso(Math.floor(triggered.scheduled[0] / 1000) * 1000)}`);

      const from = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
      await handle.backfill({ start: new Date(from), end: new Date(from + 2 * DAY), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
      const backfilled = await describeTimes(handle);
      expect(backfilled.scheduled.slice(1)).toEqual([from, from + DAY, from + 2 * DAY]);
      expect(backfilled.ids.slice(1)).toEqual([from, from + DAY, from + 2 * DAY].map((at) => `${workflowId}-${iso(at)}`));
      for (const id of backfilled.ids) expect(await resultWithin(env.client.workflow.getHandle(id))).toBe('x');
      await handle.delete();
      await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    });
  });

  test('a schedule created with triggerImmediately and a backfill takes them at creation', async () => {
    const workflowId = uniqueId('initial');
    const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const handle = await env.client.schedule.create({
      scheduleId: uniqueId('initial'),
      spec: { intervals: [{ every: '1h' }] },
      state: { triggerImmediately: true, backfill: [{ start: new Date(from), end: new Date(from + HOUR), overlap: ScheduleOverlapPolicy.ALLOW_ALL }] },
      action: action(uniqueQueue(), workflowId),
    });
    const { scheduled, ids } = await describeTimes(handle);
    expect(scheduled.slice(1)).toEqual([from, from + HOUR]);
    expect(ids.slice(1)).toEqual([from, from + HOUR].map((at) => `${workflowId}-${iso(at)}`));
    expect(ids[0]).toBe(`${workflowId}-${iso(Math.floor(scheduled[0] / 1000) * 1000)}`);
    await handle.delete();
  });

  test('a retried create with the same request id is the same schedule', async () => {
    const scheduleId = uniqueId('dedupe');
    const request = {
      namespace: 'default',
      scheduleId,
      requestId: uniqueId('request'),
      schedule: {
        spec: { interval: [{ interval: { seconds: Long.fromNumber(3600) } }] },
        action: { startWorkflow: { workflowId: 'w', workflowType: { name: 'returnsInput' }, taskQueue: { name: uniqueQueue() } } },
      },
    };
    const first = await env.connection.workflowService.createSchedule(request);
    const second = await env.connection.workflowService.createSchedule(request);
    expect(Buffer.from(second.conflictToken).equals(Buffer.from(first.conflictToken))).toBe(true);
    await expect(env.connection.workflowService.createSchedule({ ...request, requestId: uniqueId('other') })).rejects.toMatchObject({ code: 6 });
    await env.client.schedule.getHandle(scheduleId).delete();
  });

  test('pause and unpause keep their notes; update replaces the spec; a stale conflict token is refused', async () => {
    const handle = await env.client.schedule.create({ scheduleId: uniqueId('update'), spec: { intervals: [{ every: '1h' }] }, action: action(uniqueQueue(), uniqueId('update')) });
    await handle.pause('holiday');
    let described = await handle.describe();
    expect(described.state).toMatchObject({ paused: true, note: 'holiday' });
    await handle.unpause('back');
    described = await handle.describe();
    expect(described.state).toMatchObject({ paused: false, note: 'back' });

    const stale = described.raw.conflictToken!;
    await handle.update((current) => ({ ...current, spec: { intervals: [{ every: '2h', offset: '30m' }] } }));
    described = await handle.describe();
    expect(described.spec.intervals).toEqual([{ every: 2 * HOUR, offset: 30 * MINUTE }]);
    expect(described.info.lastUpdatedAt).toBeInstanceOf(Date);
    expect(described.info.nextActionTimes[0].getTime()).toBe(ceilTo(Date.now() - 30 * MINUTE, 2 * HOUR) + 30 * MINUTE);
    await expect(
      env.connection.workflowService.updateSchedule({ namespace: 'default', scheduleId: handle.scheduleId, schedule: described.raw.schedule, conflictToken: stale, requestId: uniqueId('r') }),
    ).rejects.toMatchObject({ code: 9 });
    await expect(handle.update((current) => ({ ...current, spec: { cronExpressions: ['0 25 * * *'] } }))).rejects.toThrow(new TypeError('Hour is not in range [0-23]'));
    await handle.delete();
  });

  test('list pages through the schedules with their memo and next times', async () => {
    const prefix = uniqueId('listed');
    const handles = [];
    for (const n of [1, 2, 3]) {
      handles.push(await env.client.schedule.create({ scheduleId: `${prefix}-${n}`, spec: { intervals: [{ every: `${n}h` }] }, memo: { n }, action: action(uniqueQueue(), uniqueId('listed')) }));
    }
    const found = [];
    for await (const summary of env.client.schedule.list({ pageSize: 2 })) if (summary.scheduleId.startsWith(prefix)) found.push(summary);
    expect(found.map((summary) => [summary.scheduleId, summary.memo])).toEqual([1, 2, 3].map((n) => [`${prefix}-${n}`, { n }]));
    expect(found[1].spec?.intervals).toEqual([{ every: 2 * HOUR, offset: 0 }]);
    expect(found[1].info.nextActionTimes[0].getTime()).toBe(ceilTo(Date.now(), 2 * HOUR));
    expect(found[1].action).toEqual({ type: 'startWorkflow', workflowType: 'returnsInput' });
    for (const handle of handles) await handle.delete();
  });
});

describe('schedules across a restart', () => {
  test('firings missed while the server was down are taken within the catch-up window and counted as missed beyond it', async () => {
    const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'temporal-sched-')), 'temporal.db');
    let server = await startServer({ dbFilename });
    let connection = await Connection.connect({ address: server.address });
    const interval = 10 * MINUTE;
    // The next firing is five minutes away, so none falls while the test runs.
    const firstFiring = Math.floor(Date.now() / SECOND) * SECOND + 5 * MINUTE;
    const offset = firstFiring % interval;
    const workflowId = uniqueId('restart');
    const scheduleId = uniqueId('restart');
    try {
      const client = new Client({ connection });
      const handle = await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: interval, offset }] },
        policies: { catchupWindow: 12 * MINUTE },
        action: { type: 'startWorkflow', workflowType: 'returnsInput', taskQueue: uniqueQueue(), workflowId },
      });
      expect((await handle.describe()).info.nextActionTimes[0].getTime()).toBe(firstFiring);
      await connection.close();
      await server.stop();

      // The outage: the server's clock (real time plus the skipped offset kept in its file) comes
      // back 25 minutes after the first firing, so firings at +0 and +10 are 25 and 15 minutes
      // late (beyond the 12-minute window) and the one at +20 is 5 minutes late (within it).
      const db = new Database(dbFilename);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('skippedMs', ?)").run(firstFiring + 25 * MINUTE - Date.now());
      db.close();

      server = await startServer({ dbFilename });
      connection = await Connection.connect({ address: server.address });
      const restarted = new Client({ connection }).schedule.getHandle(scheduleId);
      const { description, scheduled, ids, next } = await describeTimes(restarted);
      expect(description.info.numActionsMissedCatchupWindow).toBe(2);
      expect(scheduled).toEqual([firstFiring + 2 * interval]);
      expect(ids).toEqual([`${workflowId}-${iso(firstFiring + 2 * interval)}`]);
      expect(next[0]).toBe(firstFiring + 3 * interval);
      await restarted.delete();
    } finally {
      await connection.close();
      await server.stop();
    }
  });
});
