import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { notificationsFile, startNotificationDispatcher } from '../../notifications';
import type { Dispatcher } from '../../notifications/dispatcher';
import { call } from '../support/api';
import { acceptanceOf, eventually, expectProblem, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

/** Notifications as `npm start` sends them: the development SMS file under DATA_DIR, and the inboxes. */
let harness: ApplicationsApi;
let dispatcher: Dispatcher;
const dataDir = mkdtempSync(path.join(tmpdir(), 'notifications-http-'));
const stationCode = stationIn(COUNTIES.hangzhouXihu);
const tokens = { station: '', otherStation: '', reviewer: '', production: '', admin: '', unit: '' };

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['51'] });
  const config = { ...loadConfig({}), DATA_DIR: dataDir, NOTIFY_INTERVAL_MS: 100 };
  dispatcher = startNotificationDispatcher(harness.db, config, createLogger('silent'));
  tokens.station = await newToken(harness.db, 'station', { stationCode });
  tokens.otherStation = await newToken(harness.db, 'station', { stationCode: stationIn(COUNTIES.beijingChaoyang) });
  tokens.reviewer = await newToken(harness.db, 'reviewer', { regionCode: '510000' });
  tokens.production = await newToken(harness.db, 'production', { provinceCode: '510000' });
  tokens.admin = await newToken(harness.db, 'admin');
  // Other files share this database and leave their workflows' notifications in the outbox; the
  // dispatcher takes the oldest first, so they are settled here and this file's come next.
  await harness.db('outbox').whereNull('deliveredAt').whereNull('deadAt').update({ deliveredAt: new Date() });
}, 120_000);

afterAll(async () => {
  await dispatcher?.stop();
  await harness?.stop();
});

const post = (token: string, url: string, body: unknown) => call(harness.api, 'POST', url, { token, body });
const get = (token: string, url: string) => call(harness.api, 'GET', url, { token });
const linesFor = (applicationId: string) => {
  let text = '';
  try {
    text = readFileSync(notificationsFile({ DATA_DIR: dataDir }), 'utf8');
  } catch {
    return [];
  }
  return text.trim().split('\n').map((line) => JSON.parse(line)).filter((line) => line.applicationId === applicationId);
};

describe('notifications from an application', () => {
  test('when an application is accepted and taken to READY_FOR_PICKUP, then the applicant’s file holds the receipt and the pickup message in Chinese, each once', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.chengduWuhou });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen, { contactPhone: '13912345678' }));
    expect(accepted.status).toBe(201);
    const id: string = accepted.body.applicationId;
    expect((await post(tokens.reviewer, `/v1/applications/${id}/review`, { decision: 'approve' })).status).toBe(200);
    expect((await post(tokens.production, `/v1/applications/${id}/printed`, { validFrom: today })).status).toBe(200);
    expect((await post(tokens.production, `/v1/applications/${id}/dispatched`, { trackingNumber: 'EMS-NOTIFY-1' })).status).toBe(200);
    expect((await post(tokens.station, `/v1/applications/${id}/arrived`, {})).status).toBe(200);

    await eventually(async () => linesFor(id).some((line) => line.topic === 'card.ready_for_pickup'), 15_000, 'the pickup message');
    const lines = linesFor(id);
    expect(lines.map((line) => line.topic).sort()).toEqual(['application.accepted', 'card.ready_for_pickup']);
    const ready = lines.find((line) => line.topic === 'card.ready_for_pickup');
    expect(ready).toEqual({ channel: 'sms', to: '13912345678', topic: 'card.ready_for_pickup', text: expect.any(String), applicationId: id, at: expect.any(String), key: expect.any(String) });
    expect(ready.text).toMatch(/^【居民身份证】.*新证已到西湖区户政窗口.*前.*领取/);
    // No more personal data than the applicant needs: neither the citizen number nor the name.
    for (const line of lines) {
      expect(line.text).not.toContain(citizen.idNumber);
      expect(line.text).not.toContain(citizen.name);
    }
    expect(lines.find((line) => line.topic === 'application.accepted').text).toContain('法定办结期限');
  }, 60_000);

  test('when a reviewer refuses, then the applicant gets the reason by SMS and the accepting station in its inbox, which it marks read', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.chengduWuhou });
    const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen, { contactPhone: '13700000001' }));
    const id: string = accepted.body.applicationId;
    expect((await post(tokens.reviewer, `/v1/applications/${id}/review`, { decision: 'refuse', reason: '照片不符合要求' })).status).toBe(200);
    await eventually(async () => linesFor(id).some((line) => line.topic === 'application.refused'), 15_000, 'the refusal SMS');
    expect(linesFor(id).find((line) => line.topic === 'application.refused').text).toContain('照片不符合要求');

    let message: any;
    await eventually(async () => {
      message = (await get(tokens.station, '/v1/inbox?unread=true')).body.items.find((item: any) => item.applicationId === id);
      return message !== undefined;
    }, 15_000, 'the station inbox');
    expect(message).toMatchObject({ topic: 'application.refused', readAt: null, text: expect.stringContaining('照片不符合要求') });
    const before = (await get(tokens.station, '/v1/inbox/unread-count')).body.unreadCount;
    expect(before).toBeGreaterThanOrEqual(1);

    // Another station sees none of it and cannot mark it.
    expect((await get(tokens.otherStation, '/v1/inbox')).body.items.some((item: any) => item.applicationId === id)).toBe(false);
    expectProblem(await post(tokens.otherStation, `/v1/inbox/${message.id}/read`, {}), 404, 'not_found');

    const read = await post(tokens.station, `/v1/inbox/${message.id}/read`, {});
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    expect((await get(tokens.station, '/v1/inbox/unread-count')).body.unreadCount).toBe(before - 1);
  }, 60_000);
});

describe('dead letters', () => {
  test('when a notification cannot be delivered, then admins see it as a dead letter and retry it through the API', async () => {
    const [{ id }] = await harness.db('outbox')
      .insert({ topic: 'no.such.topic', recipientRole: 'manager', recipientCode: '510000', payload: {}, dedupeKey: `dead-${Date.now()}-${Math.random()}` })
      .returning('id');
    let dead: any;
    await eventually(async () => {
      dead = (await get(tokens.admin, '/v1/notifications/dead-letters')).body.items.find((item: any) => item.id === String(id));
      return dead !== undefined;
    }, 15_000, 'the dead letter');
    expect(dead).toMatchObject({ topic: 'no.such.topic', recipientRole: 'manager', attempts: 1, lastError: 'no_template' });

    expectProblem(await get(tokens.station, '/v1/notifications/dead-letters'), 403, 'forbidden_role');
    expectProblem(await post(tokens.admin, '/v1/notifications/dead-letters/999999999/retry', {}), 404, 'not_found');
    const retried = await post(tokens.admin, `/v1/notifications/dead-letters/${id}/retry`, {});
    expect(retried.status).toBe(202);
    const row = await harness.db('outbox').where('id', id).first();
    expect(row.attempts === 0 || row.deadAt !== null).toBe(true);
  }, 60_000);

  test('when a unit asks for an inbox, then 403', async () => {
    tokens.unit = await newToken(harness.db, 'unit', { unitId: (await harness.db('cardUsingUnits').first('id')).id });
    expectProblem(await get(tokens.unit, '/v1/inbox'), 403, 'forbidden_role');
  });
});
