import { randomUUID } from 'node:crypto';
import { Client, ScheduleOverlapPolicy, type ScheduleHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CHINA_UTC_OFFSET_MS, DAY_MS, chinaDateOf } from '../../domain';
import { digestDedupeKey } from '../../domain/managersDigest';
import type { Db } from '../../db/knex';
import { ensureManagersDigestSchedule, MANAGERS_DIGEST_CATCHUP_WINDOW_MS, type ManagersDigestScheduleSettings } from '../../worker/managersDigestSchedule';
import { createWorkers, shutdownWorkers } from '../../worker/workers';
import { taskQueues } from '../../workflows/contract';
import { MANAGERS_DIGEST_SCHEDULE_ID, MANAGERS_DIGEST_WORKFLOW, type ManagersDigestResult } from '../../workflows/managersDigestContract';
import { eventually, resultWithin } from '../support/bounds';
import { testDb } from '../support/database';
import { newCitizen, newToken, recordApplication, stationIn } from '../support/fixtures';
import { testPayloadCodec } from '../support/payloadCodec';
import { startEnvironment } from './harness';

/**
 * The managers' daily digest on the real engine (our server, time-skipping) and real PostgreSQL:
 * the schedule the worker keeps (created, left alone, updated), a trigger running the workflow that
 * writes the digests, and the 08:00 China-time firing reached by skipping time. Xunyang (浔阳区,
 * Jiujiang) has a manager and an overdue case, Fugou (扶沟县, Zhoukou) a manager and nothing due:
 * regions no other test file uses.
 */
const XUNYANG = { region: '360403', station: stationIn('360403') };
const FUGOU = '411621';
const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
let db: Db;
let workers: Worker[] = [];
let bundle: WorkflowBundleWithSourceMap;
let running: Promise<unknown> = Promise.resolve();
let prefix: string;
let overdueCase: string;
/** Reads and waits without unlocking time skipping (the environment's own client unlocks it while waiting for results). */
let client: Client;
const settings = (overrides: Partial<ManagersDigestScheduleSettings> = {}): ManagersDigestScheduleSettings => ({ time: '08:00', warningDays: 10, taskQueuePrefix: prefix, ...overrides });
const schedule = (): ScheduleHandle => client.schedule.getHandle(MANAGERS_DIGEST_SCHEDULE_ID);

/** The first instant after `ms` at `hour:minute` on China's clock. */
function nextChinaTime(ms: number, hour: number, minute: number): number {
  const dayStart = Math.floor((ms + CHINA_UTC_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_UTC_OFFSET_MS;
  const candidate = dayStart + hour * HOUR + minute * 60_000;
  return candidate > ms ? candidate : candidate + DAY_MS;
}

/** The digest run started for the action at `scheduledAt` (a trigger's or a firing's), once it has finished. */
async function runResult(pick: (scheduledAt: number) => boolean): Promise<ManagersDigestResult & { scheduledAt: number; workflowId: string }> {
  let found: { workflowId: string; scheduledAt: number } | undefined;
  await eventually(async () => {
    const action = (await schedule().describe()).info.recentActions.find((recent) => pick(recent.scheduledAt.getTime()));
    found = action && { workflowId: action.action.workflow.workflowId, scheduledAt: action.scheduledAt.getTime() };
    return found !== undefined;
  }, 30_000, 'the digest run to start');
  return { ...(await resultWithin(client.workflow.getHandle(found!.workflowId), 'the digest run did not finish')), ...found! };
}

beforeAll(async () => {
  const started = await startEnvironment();
  env = started.env;
  bundle = started.bundle;
  db = testDb();
  client = new Client({ connection: env.connection, dataConverter: { payloadCodecs: [testPayloadCodec] } });
  prefix = `digest-${randomUUID().slice(0, 8)}`;
  workers = await createWorkers({ connection: env.nativeConnection, namespace: 'default', taskQueuePrefix: prefix, db, payloadCodec: testPayloadCodec, productionProvinces: [], workflowBundle: bundle });
  running = Promise.all(workers.map((worker) => worker.run()));

  await newToken(db, 'manager', { regionCode: XUNYANG.region });
  const citizen = await newCitizen(db, { homeRegionCode: XUNYANG.region });
  const now = await env.currentTimeMs();
  overdueCase = await recordApplication(db, {
    idNumber: citizen.idNumber,
    acceptingStationCode: XUNYANG.station,
    homeRegionCode: XUNYANG.region,
    acceptedAt: new Date(now - 65 * DAY_MS),
    // Five days late, less an hour: still "5 days" however long the run takes to start.
    deadlineAt: new Date(now - 5 * DAY_MS + HOUR),
    overdue: true,
  });
}, 120_000);

afterAll(async () => {
  // A schedule left active would keep firing whenever the clock skips.
  await schedule()
    .delete()
    .catch(() => undefined);
  shutdownWorkers(workers);
  await running;
  await env?.teardown();
  await db?.destroy();
});

describe("the managers' daily digest schedule", () => {
  test('when the worker starts, then the schedule exists every day at 08:00 China time with SKIP and the catch-up window; a second start leaves it alone, a changed time updates it', async () => {
    await schedule()
      .delete()
      .catch(() => undefined);
    // Two workers starting at once: one creates it, the other finds it as configured.
    expect((await Promise.all([ensureManagersDigestSchedule(client, settings()), ensureManagersDigestSchedule(client, settings())])).sort()).toEqual(['created', 'unchanged']);

    const now = await env.currentTimeMs();
    const described = await schedule().describe();
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    expect(described.spec.calendars).toHaveLength(1);
    expect(described.spec.calendars![0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }], second: [{ start: 0, end: 0, step: 1 }] });
    expect(described.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: MANAGERS_DIGEST_CATCHUP_WINDOW_MS });
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: MANAGERS_DIGEST_WORKFLOW, taskQueue: taskQueues.applications(prefix), args: [{ warningDays: 10 }] });
    const first = nextChinaTime(now, 8, 0);
    expect(described.info.nextActionTimes.slice(0, 3).map((time) => time.getTime())).toEqual([first, first + DAY_MS, first + 2 * DAY_MS]);

    expect(await ensureManagersDigestSchedule(client, settings())).toBe('unchanged');
    expect((await schedule().describe()).info.lastUpdatedAt).toEqual(described.info.lastUpdatedAt);

    expect(await ensureManagersDigestSchedule(client, settings({ time: '07:30', warningDays: 7 }))).toBe('updated');
    const updated = await schedule().describe();
    expect(updated.spec.calendars![0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(updated.action.args).toEqual([{ warningDays: 7 }]);
    expect(updated.info.nextActionTimes[0].getTime()).toBe(nextChinaTime(now, 7, 30));
    expect(await ensureManagersDigestSchedule(client, settings({ time: '07:30', warningDays: 7 }))).toBe('unchanged');
    expect(await ensureManagersDigestSchedule(client, settings())).toBe('updated');
  });

  test('when the schedule is triggered, then its workflow writes the digests; triggered again the same China day, nothing twice', async () => {
    await ensureManagersDigestSchedule(client, settings());
    const before = await env.currentTimeMs();
    await schedule().trigger();
    const result = await runResult((time) => time >= before - 1_000); // a run's time is whole seconds, as its workflow id
    expect(result.date).toBe(chinaDateOf(before));
    expect(result.regions).toBeGreaterThanOrEqual(1);
    const key = digestDedupeKey(XUNYANG.region, result.date);
    const row = await db('outbox').where('dedupeKey', key).first();
    expect(row).toMatchObject({ topic: 'deadline.daily_digest', recipientRole: 'manager', recipientCode: XUNYANG.region });
    expect(row.payload).toMatchObject({ overdue: 1, dueSoon: 0, items: [expect.objectContaining({ applicationId: overdueCase, overdue: true, daysRemaining: -5 })] });
    // The run is deterministic: its history replays against the workflow code.
    await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: { payloadCodecs: [testPayloadCodec] } }, await client.workflow.getHandle(result.workflowId).fetchHistory(), result.workflowId);

    if (chinaDateOf(await env.currentTimeMs()) !== result.date) return; // the China day ended meanwhile: a new day writes anew, as the activity test shows
    // A run's id carries its time to the second: the second trigger comes in another second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const triggeredAgain = await env.currentTimeMs();
    await schedule().trigger();
    const again = await runResult((time) => time > result.scheduledAt && time >= triggeredAgain - 1_000);
    expect(again.date).toBe(result.date);
    expect(await db('outbox').where('dedupeKey', key).select('id')).toEqual([{ id: row.id }]);
  });

  test('when 08:00 comes in China, then the schedule starts the digest at exactly that time and it writes that day\'s digest, for a region with nothing due too', async () => {
    await ensureManagersDigestSchedule(client, settings());
    // Fugou (扶沟县, Zhoukou) gets its first manager only now: no earlier run of this file wrote its digest.
    await newToken(db, 'manager', { regionCode: FUGOU });
    const now = await env.currentTimeMs();
    const eight = nextChinaTime(now, 8, 0);
    await env.sleep(eight - now + 60_000);
    const result = await runResult((time) => time === eight);
    expect(result.date).toBe(chinaDateOf(eight));
    const row = await db('outbox').where('dedupeKey', digestDedupeKey(FUGOU, chinaDateOf(eight))).first();
    expect(row).toMatchObject({ recipientRole: 'manager', recipientCode: FUGOU, payload: expect.objectContaining({ overdue: 0, dueSoon: 0, items: [] }) });
  });
});
