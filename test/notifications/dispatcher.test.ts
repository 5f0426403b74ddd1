import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from '../../db/knex';
import { DeliveryFailure, type Channel, type Delivery } from '../../notifications/channels';
import { createDispatcher } from '../../notifications/dispatcher';
import { eventually, exitOf, killed } from '../support/bounds';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, recordApplication, stationIn } from '../support/fixtures';

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db.destroy());

/**
 * Other files share this database and leave their workflows' notifications in the outbox; a
 * dispatcher takes the oldest first, so each test starts with those settled.
 */
beforeEach(async () => {
  await db('outbox').whereNull('deliveredAt').whereNull('deadAt').update({ deliveredAt: new Date() });
});

const stationCode = stationIn(COUNTIES.shenzhenNanshan);
/** A dispatcher process starts (tsx) and sends five messages, pausing 300 ms after each. */
const FIVE_SENDS_BOUND_MS = 30_000;

/** An application of its own with a contact phone, written straight into the read model. */
async function newApplication(phone: string | null = '13800138000'): Promise<string> {
  const citizen = await newCitizen(db);
  return recordApplication(db, {
    idNumber: citizen.idNumber,
    reason: 'expired',
    stage: 'READY_FOR_PICKUP',
    acceptingStationCode: stationCode,
    homeRegionCode: citizen.homeRegionCode,
    readyForPickupAt: new Date(),
    contactPhone: phone,
  });
}

async function queue(applicationId: string, rows: Array<{ topic: string; recipientRole: string; recipientCode?: string; key: string }>): Promise<number[]> {
  const inserted = await db('outbox')
    .insert(rows.map((row) => ({ topic: row.topic, recipientRole: row.recipientRole, recipientCode: row.recipientCode ?? null, payload: { applicationId }, dedupeKey: `${applicationId}:${row.key}` })))
    .returning('id');
  return inserted.map((row: { id: number }) => Number(row.id));
}

/** Sent messages, by key. Only this test's rows count (other files' rows may pass through too). */
function recordingChannel(fail?: (delivery: Delivery) => Error | undefined): Channel & { sent: Delivery[] } {
  const sent: Delivery[] = [];
  return {
    name: 'sms',
    sent,
    async deliver(delivery) {
      const error = fail?.(delivery);
      if (error) throw error;
      sent.push(delivery);
    },
  };
}

describe('the notification dispatcher', () => {
  test('when it runs, then the applicant gets an SMS in Chinese and the station manager an inbox message, each once', async () => {
    const applicationId = await newApplication();
    const [smsId, inboxId] = await queue(applicationId, [
      { topic: 'card.ready_for_pickup', recipientRole: 'applicant', key: 'ready' },
      { topic: 'deadline.warning', recipientRole: 'manager', recipientCode: stationCode, key: 'warning' },
    ]);
    const sms = recordingChannel();
    const dispatcher = createDispatcher({ db, sms, maxAttempts: 3, retryBaseMs: 10, pickupDays: 30 });
    await dispatcher.runOnce();
    await dispatcher.runOnce();
    const mine = sms.sent.filter((delivery) => delivery.applicationId === applicationId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ outboxId: smsId, topic: 'card.ready_for_pickup', recipient: { kind: 'phone', phone: '13800138000' } });
    expect(mine[0].text).toMatch(/新证已到.*户政窗口.*前.*领取/);
    const { receiptNumber } = await db('applications').where('id', applicationId).first('receiptNumber');
    expect(mine[0].text).toContain(`受理编号${receiptNumber}`);
    const inbox = await db('inbox').where('outboxId', inboxId);
    expect(inbox).toEqual([expect.objectContaining({ recipientRole: 'manager', stationCode, regionCode: COUNTIES.shenzhenNanshan, topic: 'deadline.warning' })]);
    expect(inbox[0].text).toContain('法定办结期限');
    const settled = await db('outbox').whereIn('id', [smsId, inboxId]).orderBy('id');
    expect(settled.map((row) => row.deliveredChannel)).toEqual(['sms', 'inbox']);
  });

  test('when the gateway fails, then the notification is retried with growing waits and becomes a dead letter after the last attempt', async () => {
    const applicationId = await newApplication();
    const [id] = await queue(applicationId, [{ topic: 'pickup.reminder', recipientRole: 'applicant', key: 'reminder' }]);
    const sms = recordingChannel((delivery) => (delivery.outboxId === id ? new DeliveryFailure('sms_gateway_503', false) : undefined));
    const dispatcher = createDispatcher({ db, sms, maxAttempts: 3, retryBaseMs: 200, pickupDays: 30 });
    await dispatcher.runOnce();
    const first = await db('outbox').where('id', id).first();
    expect(first).toMatchObject({ attempts: 1, lastError: 'sms_gateway_503', deadAt: null, deliveredAt: null });
    expect(first.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50);
    await eventually(async () => {
      await dispatcher.runOnce();
      return (await db('outbox').where('id', id).first()).deadAt !== null;
    }, 10_000, 'the dead letter');
    expect(await db('outbox').where('id', id).first()).toMatchObject({ attempts: 3, deliveredAt: null });
  });

  test('when a recipient has no phone on record, then the notification is settled without a message', async () => {
    const applicationId = await newApplication(null);
    const [id] = await queue(applicationId, [{ topic: 'application.accepted', recipientRole: 'applicant', key: 'accepted' }]);
    const sms = recordingChannel();
    await createDispatcher({ db, sms, maxAttempts: 3, retryBaseMs: 10, pickupDays: 30 }).runOnce();
    expect(sms.sent.filter((delivery) => delivery.outboxId === id)).toEqual([]);
    expect(await db('outbox').where('id', id).first()).toMatchObject({ deliveredChannel: 'none', deliveredAt: expect.any(Date) });
  });

  test('when two dispatcher processes race and one is killed mid-batch, after sending and before recording, then a restarted one finishes and each notification is delivered exactly once', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'notify-')), 'notifications.ndjson');
    const applicationId = await newApplication();
    const ids = await queue(
      applicationId,
      Array.from({ length: 60 }, (_, n) => ({ topic: 'pickup.reminder', recipientRole: 'applicant', key: `reminder-${n}` })),
    );
    const sentBy = new Map<ChildProcess, number[]>();
    const start = (pauseMs: number, killAfter?: number) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'dispatcherProcess.ts')], {
        env: { ...process.env, NOTIFY_FILE: file, PAUSE_MS: String(pauseMs) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      sentBy.set(child, []);
      child.stdout!.on('data', (chunk: Buffer) => {
        sentBy.get(child)!.push(...[...chunk.toString().matchAll(/sent (\d+)/g)].map((match) => Number(match[1])));
        // Killed as it starts pausing after a send: that row's delivery is never recorded.
        if (killAfter !== undefined && sentBy.get(child)!.length >= killAfter) child.kill('SIGKILL');
      });
      return child;
    };
    const doomed = start(300, 5);
    const survivor = start(150);
    try {
      await exitOf(doomed, 'the first dispatcher was not killed after its fifth send', FIVE_SENDS_BOUND_MS);
      const restarted = start(0);
      await eventually(async () => Number((await db('outbox').whereIn('id', ids).whereNull('deliveredAt').count({ n: '*' }))[0].n) === 0, 60_000, 'every delivery');
      await Promise.all([survivor, restarted].map((child) => killed(child, 'a dispatcher', 'SIGTERM')));
    } finally {
      for (const child of sentBy.keys()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const mine = lines.filter((line) => line.applicationId === applicationId);
    expect(mine.map((line) => line.key).sort()).toEqual(ids.map((id) => `outbox-${id}`).sort());
    expect(mine[0]).toEqual({ channel: 'sms', to: '13800138000', topic: 'pickup.reminder', text: expect.stringContaining('待领取'), applicationId, at: expect.any(String), key: expect.any(String) });
    // The killed dispatcher's last message was sent again by another, and written once.
    const lastOfKilled = sentBy.get(doomed)!.at(-1)!;
    expect(ids).toContain(lastOfKilled);
    expect([survivor, ...sentBy.keys()].filter((child) => child !== doomed).some((child) => sentBy.get(child)!.includes(lastOfKilled))).toBe(true);
    expect(await db('outbox').where('id', lastOfKilled).first('attempts', 'deliveredChannel')).toEqual({ attempts: 0, deliveredChannel: 'sms' });
  }, 120_000);
});
