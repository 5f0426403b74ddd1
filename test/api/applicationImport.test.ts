import { randomUUID } from 'node:crypto';
import { chinaDateOf, DAY_MS, makeIdNumber, parseIdNumber, refusalMessages, validUntilFor } from '../../domain';
import { createUser } from '../../db/users';
import { call } from '../support/api';
import { eventually, expectProblem, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

/**
 * Go-live import of the old systems' applications in flight, over HTTP against real PostgreSQL and
 * the engine: a Wuxi (无锡, 江苏) station's cases for Xiangyang (襄阳, 湖北) residents — regions no
 * other test file uses. Every date is relative to now.
 */
let harness: ApplicationsApi;
const station = stationIn('320211');
const HOME = '420602';
const tokens = { admin: '', station: '', reviewer: '', manager: '' };
let adminId = '';

const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString();
const birthDateOf = (citizen: TestCitizen) => (parseIdNumber(citizen.idNumber) as { ok: true; value: { birthDate: string } }).value.birthDate;
/** A card printed yesterday (China's date), as the law dates it for the holder. */
const printedFor = (citizen: TestCitizen) => {
  const validFrom = chinaDateOf(Date.now() - DAY_MS);
  return { validFrom, validUntil: validUntilFor(birthDateOf(citizen), validFrom) };
};
const receiptDay = (instant: string) => chinaDateOf(Date.parse(instant)).slice(2).replaceAll('-', '');

async function importFile(body: string, token = tokens.admin, contentType = 'application/x-ndjson') {
  const answer = await call(harness.api, 'POST', '/v1/applications/import', { token, body, headers: { 'content-type': contentType } });
  const lines = typeof answer.body === 'string' ? answer.body.trim().split('\n').map((text: string) => JSON.parse(text)) : [answer.body];
  return { answer, outcomes: lines.filter((entry: { line?: number }) => entry.line !== undefined), last: lines.at(-1) };
}

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: [] });
  const { db } = harness;
  adminId = `admin-${randomUUID()}`;
  tokens.admin = (await createUser(db, { id: adminId, name: 'go-live importer', role: 'admin', stationCode: null, provinceCode: null, unitId: null })).token;
  tokens.station = await newToken(db, 'station', { stationCode: station });
  tokens.reviewer = await newToken(db, 'reviewer', { regionCode: '420000' });
  tokens.manager = await newToken(db, 'manager', { regionCode: '320200' });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

describe('POST /v1/applications/import', () => {
  test('when the old system’s cases in flight are imported, then each becomes a workflow at its stage with its original acceptance and deadline, refused lines write nothing, and a re-post imports nothing twice', async () => {
    const { db } = harness;
    const people = await Promise.all(Array.from({ length: 12 }, () => newCitizen(db, { homeRegionCode: HOME })));
    const [accepted, review, printing, shipping, ready, overdue, near, temporary, mismatch, blacklisted, readyLongAgo, overdueLongAgo] = people;
    await db('blacklistEntries').insert({ id: randomUUID(), idNumber: blacklisted.idNumber, category: 'IMPERSONATION', source: 'test', addedBy: 'test', addedAt: new Date() });
    const ref = () => `WX-${randomUUID().slice(0, 8)}`;
    const lineOf = (citizen: TestCitizen, extra: Record<string, unknown>) =>
      JSON.stringify({ externalReference: ref(), idNumber: citizen.idNumber, name: citizen.name, kind: 'renewal', reason: 'card expiring', acceptingStationCode: station, fingerprintCaptured: true, ...extra });
    const unregistered = makeIdNumber({ regionCode: HOME, birthDate: '1977-07-07', sequence: 999 });
    const lines = [
      lineOf(accepted, { acceptedAt: at(2), stage: 'ACCEPTED' }),
      lineOf(review, { acceptedAt: at(10), stage: 'HOME_REVIEW' }),
      lineOf(printing, { acceptedAt: at(20), stage: 'PRINTING', kind: 'replacement', reason: 'lost on a train' }),
      lineOf(shipping, { acceptedAt: at(30), stage: 'SHIPPING', printed: printedFor(shipping), trackingNumber: 'SF100200300' }),
      lineOf(ready, { acceptedAt: at(40), stage: 'READY_FOR_PICKUP', printed: printedFor(ready), trackingNumber: 'SF100200301', readyForPickupAt: at(1) }),
      lineOf(overdue, { acceptedAt: at(65), stage: 'HOME_REVIEW' }),
      lineOf(near, { acceptedAt: at(55), stage: 'PRINTING' }),
      lineOf(temporary, { acceptedAt: at(5), stage: 'HOME_REVIEW', temporaryCard: {} }),
      JSON.stringify({ externalReference: ref(), idNumber: unregistered, name: '查无此人', kind: 'renewal', reason: 'x', acceptingStationCode: station, acceptedAt: at(3), stage: 'ACCEPTED' }),
      lineOf(mismatch, { name: '别人', acceptedAt: at(3), stage: 'ACCEPTED' }),
      lineOf(accepted, { acceptedAt: at(3), stage: 'HOME_REVIEW' }), // a second case in progress for the same person
      lineOf(mismatch, { acceptedAt: at(30), stage: 'SHIPPING', printed: printedFor(mismatch) }), // no tracking number
      lineOf(mismatch, { acceptedAt: at(3), stage: 'ACCEPTED', acceptingStationCode: 'NOSUCHSTATION' }),
      lineOf(blacklisted, { acceptedAt: at(3), stage: 'ACCEPTED' }),
      lineOf(mismatch, { acceptedAt: at(-1), stage: 'ACCEPTED' }), // accepted tomorrow
      lineOf(mismatch, { acceptedAt: at(91), stage: 'READY_FOR_PICKUP', printed: { validFrom: chinaDateOf(Date.now() - 89 * DAY_MS), validUntil: validUntilFor(birthDateOf(mismatch), chinaDateOf(Date.now() - 89 * DAY_MS)) }, trackingNumber: 'SF1', readyForPickupAt: at(89) }),
      lineOf(readyLongAgo, { acceptedAt: at(89), stage: 'READY_FOR_PICKUP', printed: { validFrom: chinaDateOf(Date.now() - 88 * DAY_MS), validUntil: validUntilFor(birthDateOf(readyLongAgo), chinaDateOf(Date.now() - 88 * DAY_MS)) }, trackingNumber: 'SF2', readyForPickupAt: at(87) }),
      lineOf(overdueLongAgo, { acceptedAt: at(120), stage: 'HOME_REVIEW' }),
      '{ not json',
    ];
    const body = lines.join('\n');

    const first = await importFile(body);
    expect(first.answer.status).toBe(200);
    expect(first.answer.contentType).toMatch(/^application\/x-ndjson/);
    expect(first.outcomes.map((o: { line: number; status: string; code?: string }) => [o.line, o.status === 'refused' ? o.code : o.status])).toEqual([
      [1, 'imported'],
      [2, 'imported'],
      [3, 'imported'],
      [4, 'imported'],
      [5, 'imported'],
      [6, 'imported'],
      [7, 'imported'],
      [8, 'imported'],
      [9, 'unknown_citizen'],
      [10, 'name_mismatch'],
      [11, 'duplicate_application'],
      [12, 'stage_facts_invalid'],
      [13, 'unknown_station'],
      [14, 'refused_blacklisted'],
      [15, 'accepted_at_out_of_range'],
      [16, 'accepted_at_out_of_range'],
      [17, 'imported'],
      [18, 'imported'],
      [19, 'malformed_json'],
    ]);
    expect(first.last).toEqual({ summary: { lines: 19, imported: 10, alreadyImported: 0, refused: 9 } });

    // Each imported line: its original acceptance instant, 60 days from it, its stage, a receipt number of its acceptance day.
    const imported = first.outcomes.filter((o: { status: string }) => o.status === 'imported');
    const sent = lines.map((text) => (text.startsWith('{ not') ? undefined : JSON.parse(text)));
    for (const outcome of imported) {
      const line = sent[outcome.line - 1];
      const row = await db('applications').where('id', outcome.applicationId).first();
      expect(row.acceptedAt.toISOString()).toBe(line.acceptedAt);
      expect(row.deadlineAt.getTime()).toBe(Date.parse(line.acceptedAt) + 60 * DAY_MS);
      expect(row.stage).toBe(line.stage === 'ACCEPTED' ? 'HOME_REVIEW' : line.stage);
      expect(row.importReference).toBe(line.externalReference);
      expect(row.importedBy).toBe(adminId);
      expect(outcome.receiptNumber).toBe(row.receiptNumber);
      expect(outcome.receiptNumber).toMatch(new RegExp(`^${receiptDay(line.acceptedAt)}-\\d{7}$`));
      const audit = await db('auditLog').where({ subjectId: outcome.applicationId, action: 'application.imported' });
      expect(audit.map((entry) => entry.actor)).toEqual([adminId]);
    }
    const idOf = (citizen: TestCitizen) => imported.find((o: { line: number }) => sent[o.line - 1].idNumber === citizen.idNumber)!.applicationId as string;

    // Nothing of the refused lines was written: one application for the person in progress, none for the others.
    expect(await db('applications').where('idNumber', accepted.idNumber).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await db('applications').whereIn('idNumber', [unregistered, mismatch.idNumber, blacklisted.idNumber]).count({ n: '*' }).first()).toEqual({ n: 0 });

    // The facts of each stage, as imported.
    const shippingRow = await db('applications').where('id', idOf(shipping)).first();
    expect({ trackingNumber: shippingRow.trackingNumber, validFrom: shippingRow.newCardValidFrom }).toEqual({ trackingNumber: 'SF100200300', validFrom: printedFor(shipping).validFrom });
    expect((await db('applications').where('id', idOf(ready)).first()).readyForPickupAt.toISOString()).toBe(sent[4].readyForPickupAt);
    // A replacement's lost card is invalid as at acceptance.
    expect((await db('cards').where('idNumber', printing.idNumber).first()).status).toBe('REPORTED_LOST');

    // Overdue at once: the row says so as the import answers, and the manager's list shows both overdue cases (the older one past the 90 days too).
    expect((await db('applications').where('id', idOf(overdue)).first()).overdue).toBe(true);
    expect((await db('applications').where('id', idOf(review)).first()).overdue).toBe(false);
    const overdueList = await call(harness.api, 'GET', '/v1/overdue', { token: tokens.manager });
    expect(overdueList.body.items.map((item: { applicationId: string }) => item.applicationId).sort()).toEqual([idOf(overdue), idOf(overdueLongAgo)].sort());
    const overdueDeadline = (await db('applications').where('id', idOf(overdue)).first()).deadlineAt.toISOString();
    await eventually(async () => Boolean(await db('outbox').where('dedupeKey', `${idOf(overdue)}:deadline.overdue:${overdueDeadline}`).first()), 10_000, 'the overdue notice');
    // Near the deadline (5 days left, warning at 10): the warning goes out now.
    const nearDeadline = (await db('applications').where('id', idOf(near)).first()).deadlineAt.toISOString();
    await eventually(async () => Boolean(await db('outbox').where('dedupeKey', `${idOf(near)}:deadline.warning:${nearDeadline}`).first()), 10_000, 'the deadline warning');
    expect(await db('outbox').where('dedupeKey', `${idOf(review)}:deadline.warning:${(await db('applications').where('id', idOf(review)).first()).deadlineAt.toISOString()}`).first()).toBeUndefined();
    // A temporary card requested 5 days ago and not issued is overdue (due 3 days after acceptance).
    await eventually(async () => (await db('applications').where('id', idOf(temporary)).first()).temporaryCardOverdue === true, 10_000, 'the temporary card overdue');

    // The workflows run at their stages: the home region reviews, the station finds its pickups and arrivals.
    const approved = await call(harness.api, 'POST', `/v1/applications/${idOf(review)}/review`, { token: tokens.reviewer, body: { decision: 'approve' } });
    expect({ status: approved.status, stage: approved.body.stage }).toEqual({ status: 200, stage: 'PRINTING' });
    const pickups = await call(harness.api, 'GET', '/v1/worklists/pickups', { token: tokens.station });
    expect(pickups.body.items.map((item: { applicationId: string }) => item.applicationId)).toEqual([idOf(readyLongAgo), idOf(ready)]);
    const arrivals = await call(harness.api, 'GET', '/v1/worklists/arrivals', { token: tokens.station });
    expect(arrivals.body.items.map((item: { applicationId: string }) => item.applicationId)).toEqual([idOf(shipping)]);

    // Posted again: the imported lines answer already_imported with their ids, and nothing new is written or started.
    const rowsBefore = await db('applications').where('acceptingStationCode', station).count({ n: '*' }).first();
    const again = await importFile(body);
    expect(again.outcomes.filter((o: { status: string }) => o.status !== 'refused').map((o: { line: number; status: string; applicationId: string; receiptNumber: string }) => [o.line, o.status, o.applicationId, o.receiptNumber])).toEqual(
      imported.map((o: { line: number; applicationId: string; receiptNumber: string }) => [o.line, 'already_imported', o.applicationId, o.receiptNumber]),
    );
    expect(again.last.summary).toEqual({ lines: 19, imported: 0, alreadyImported: 10, refused: 9 });
    expect(await db('applications').where('acceptingStationCode', station).count({ n: '*' }).first()).toEqual(rowsBefore);
    expect(await db('auditLog').whereIn('subjectId', imported.map((o: { applicationId: string }) => o.applicationId)).where('action', 'application.imported').count({ n: '*' }).first()).toEqual({ n: 10 });
  }, 120_000);

  test('when lines are refused, then each message is in the caller’s language (zh-CN by default, en on request) with the same code and the rule named in reason', async () => {
    const { db } = harness;
    const [person, blacklisted] = await Promise.all([newCitizen(db, { homeRegionCode: HOME }), newCitizen(db, { homeRegionCode: HOME })]);
    await db('blacklistEntries').insert({ id: randomUUID(), idNumber: blacklisted.idNumber, category: 'IMPERSONATION', source: 'test', addedBy: 'test', addedAt: new Date() });
    const lineOf = (citizen: { idNumber: string; name: string }, extra: Record<string, unknown>) =>
      JSON.stringify({ externalReference: `WX-${randomUUID().slice(0, 8)}`, idNumber: citizen.idNumber, name: citizen.name, kind: 'renewal', reason: 'card expiring', acceptingStationCode: station, fingerprintCaptured: true, acceptedAt: at(10), stage: 'HOME_REVIEW', ...extra });
    const body = [
      '{ not json',
      lineOf({ idNumber: makeIdNumber({ regionCode: HOME, birthDate: '1966-06-06', sequence: 998 }), name: '查无此人' }, {}),
      lineOf(person, { name: '别人' }),
      lineOf(person, { acceptingStationCode: 'NOSUCHSTATION' }),
      lineOf(person, { acceptedAt: at(30), stage: 'SHIPPING', printed: printedFor(person) }),
      lineOf(person, { acceptedAt: at(-1) }),
      lineOf(person, { extension: { days: 31, reason: 'floods' } }),
      lineOf(blacklisted, {}),
    ].join('\n');
    const importIn = async (language?: string) => {
      const response = await fetch(`${harness.api.url}/v1/applications/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/x-ndjson', ...(language ? { 'accept-language': language } : {}) },
        body,
      });
      const entries = (await response.text()).trim().split('\n').map((text) => JSON.parse(text));
      return { language: response.headers.get('content-language'), outcomes: entries.filter((entry: { line?: number }) => entry.line !== undefined), last: entries.at(-1) };
    };
    const chinese = await importIn();
    const english = await importIn('en-US,en;q=0.9');
    expect([chinese.language, english.language]).toEqual(['zh-CN', 'en']);
    const refusals = [
      ['malformed_json', undefined],
      ['unknown_citizen', undefined],
      ['name_mismatch', undefined],
      ['unknown_station', undefined],
      ['stage_facts_invalid', 'tracking_number_missing'],
      ['accepted_at_out_of_range', 'accepted_in_future'],
      ['extension_invalid', 'extension_too_long'],
      ['refused_blacklisted', undefined],
    ];
    for (const { outcomes } of [chinese, english]) expect(outcomes.map((o: { status: string; code: string; reason?: string }) => [o.status === 'refused' ? o.code : o.status, o.reason])).toEqual(refusals);
    expect(chinese.outcomes.map((o: { message: string }) => o.message)).toEqual([
      '该行不是有效的 JSON。',
      '人口信息系统中查无此人。',
      '姓名与人口信息系统登记的不符。',
      'acceptingStationCode：无此受理点。',
      '处于寄送（SHIPPING）环节的申请须写明寄送单号（trackingNumber）。',
      'acceptedAt（受理时间）不能晚于现在。',
      'extension（延期）无效：延期最多 30 天。',
      '此人已列入不诚信人员黑名单，须回户籍地办理。',
    ]);
    expect(english.outcomes.map((o: { message: string }) => o.message)).toEqual([
      'The line is not valid JSON.',
      refusalMessages.unknown_citizen,
      refusalMessages.name_mismatch,
      'acceptingStationCode: no such station',
      "an application at SHIPPING needs the parcel's trackingNumber",
      'acceptedAt must not be in the future',
      'extension: extension_too_long',
      refusalMessages.refused_blacklisted,
    ]);
    expect(english.last).toEqual({ summary: { lines: 8, imported: 0, alreadyImported: 0, refused: 8 } });
    expect(await db('applications').whereIn('idNumber', [person.idNumber, blacklisted.idNumber]).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  test('when anyone but an admin imports, or the body is not NDJSON, then it is refused before anything is read', async () => {
    expectProblem((await importFile('{}', tokens.station)).answer, 403, 'forbidden_role');
    expectProblem((await importFile('{}', tokens.admin, 'application/json')).answer, 415, 'unsupported_media_type');
  });

  test('when the same line is posted twice at once, then one imports it and the other answers already_imported with the same application', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME });
    const line = JSON.stringify({ externalReference: `WX-${randomUUID().slice(0, 8)}`, idNumber: citizen.idNumber, name: citizen.name, kind: 'renewal', reason: 'card expiring', acceptingStationCode: station, acceptedAt: at(4), stage: 'HOME_REVIEW' });
    const answers = await Promise.all([importFile(line), importFile(line)]);
    const outcomes = answers.map((answer) => answer.outcomes[0]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['already_imported', 'imported']);
    expect(outcomes[0].applicationId).toBe(outcomes[1].applicationId);
    expect(await harness.db('applications').where('idNumber', citizen.idNumber).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  test('when a file holds more than 2,000 lines, then the first 2,000 are answered and the import ends with import_too_many_lines', async () => {
    const { outcomes, last } = await importFile(Array.from({ length: 2_001 }, () => '{}').join('\n'));
    expect(outcomes).toHaveLength(2_000);
    expect(outcomes.every((o: { status: string; code: string }) => o.status === 'refused' && o.code === 'validation_failed')).toBe(true);
    expect(last).toMatchObject({ status: 413, code: 'import_too_many_lines', summary: { lines: 2_000, imported: 0, alreadyImported: 0, refused: 2_000 } });
  });

  test('when a client reads the API document, then the import takes NDJSON lines of the line schema and answers NDJSON', async () => {
    const operation = (await call(harness.api, 'GET', '/openapi.json')).body.paths['/v1/applications/import'].post;
    expect(Object.keys(operation.requestBody.content)).toEqual(['application/x-ndjson']);
    expect(operation.requestBody.content['application/x-ndjson'].schema.required).toEqual(expect.arrayContaining(['externalReference', 'idNumber', 'name', 'kind', 'acceptingStationCode', 'acceptedAt', 'stage']));
    expect(Object.keys(operation.responses['200'].content)).toEqual(['application/x-ndjson']);
  });
});
