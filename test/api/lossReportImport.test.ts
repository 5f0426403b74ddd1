import { request as httpRequest } from 'node:http';
import { chinaDateOf, DAY_MS } from '../../domain';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { within } from '../support/bounds';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

let db: Db;
let api: RunningApi;
let second: RunningApi;
let importer: string;
let admin: string;
let station: string;
let unit: string;

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  second = await startApi(db);
  importer = await newToken(db, 'loss_report_importer', { regionCode: COUNTIES.zhengzhouJinshui });
  admin = await newToken(db, 'admin');
  station = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.zhengzhouJinshui) });
  unit = await newToken(db, 'unit', { unitId: 'icbc' });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await second?.close();
  await db?.destroy();
});

/** An old report of yesterday: after the test citizens' cards became valid (2020 at the earliest), whatever day the test runs. */
/** Another instance reads a card the import reported lost as INVALID within this. */
const MAX_INVALIDATION_MS = 1_000;
/** The import streams its answer line by line; the largest file here is 600 lines. */
const IMPORT_ANSWER_BOUND_MS = 30_000;
const REPORTED_AT = new Date(Date.now() - DAY_MS).toISOString();
const line = (citizen: TestCitizen, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom, fingerprintMatched: true, reportedAt: REPORTED_AT, authorityRegionCode: COUNTIES.zhengzhouJinshui, ...extra });
/** The China day `days` from today, and the first and last instants of a China day. */
const chinaDay = (days: number) => chinaDateOf(Date.now() + days * DAY_MS);
const startOf = (day: string) => `${day}T00:00:00.000+08:00`;
const endOf = (day: string) => `${day}T23:59:59.999+08:00`;

async function importFile(body: string, token = importer, contentType = 'application/x-ndjson', on = api) {
  const answer = await call(on, 'POST', '/v1/loss-reports/import', { token, body, headers: { 'content-type': contentType } });
  const lines = typeof answer.body === 'string' ? answer.body.trim().split('\n').map((text: string) => JSON.parse(text)) : [answer.body];
  return { status: answer.status, contentType: answer.contentType, outcomes: lines.filter((entry: { line?: number }) => entry.line !== undefined), last: lines.at(-1) };
}

const verify = (on: RunningApi, citizen: TestCitizen) =>
  call(on, 'POST', '/v1/verifications', { token: unit, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom } }).then((answer) => answer.body);

async function citizens(count: number): Promise<TestCitizen[]> {
  const made: TestCitizen[] = [];
  while (made.length < count) made.push(...(await Promise.all(Array.from({ length: Math.min(25, count - made.length) }, () => newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui })))));
  return made;
}

describe('POST /v1/loss-reports/import', () => {
  test('when an importer imports old reports, then each line gets its outcome in order, valid cards read INVALID on every instance, and a re-run imports nothing twice', async () => {
    const [a, b, c, d] = await citizens(4);
    expect((await verify(second, a)).result).toBe('VALID');
    const body = [
      line(a, { externalId: 'HN-2015-0001' }),
      line(b, { externalId: 'HN-2015-0002', circumstance: 'stolen', reportingStationCode: stationIn(COUNTIES.zhengzhouJinshui) }),
      '',
      line(c),
      '{"idNumber": "41010519900101123X", "name": "张三", "cardValidFrom": "2015-01-01", "reportedAt": "2015-06-01T09:30:00+08:00", "authorityRegionCode": "410105"}',
      '{ not json',
      line(d, { cardValidFrom: '1999-01-01' }),
      line(d, { authorityRegionCode: '999999' }),
      line(d, { reportedAt: '2999-01-01T00:00:00Z' }),
      line(c, { externalId: 'HN-2015-0003' }), // the same card again, as another old report
    ].join('\n');

    const first = await importFile(body);
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/application\/x-ndjson/);
    expect(first.outcomes.map((o: { line: number; ok: boolean; code?: string; status?: string }) => [o.line, o.ok ? o.status : o.code])).toEqual([
      [1, 'imported'],
      [2, 'imported'],
      [4, 'imported'],
      [5, 'invalid_id_number'],
      [6, 'malformed_json'],
      [7, 'card_not_found'],
      [8, 'unknown_region'],
      [9, 'validation_failed'],
      [10, 'already_reported_lost'],
    ]);
    expect(first.last).toEqual({ summary: { lines: 9, imported: 3, alreadyImported: 0, failed: 6 } });

    expect(await verify(api, a)).toMatchObject({ result: 'INVALID', reason: 'REPORTED_LOST' });
    const started = Date.now();
    while ((await verify(second, a)).result === 'VALID' && Date.now() - started < MAX_INVALIDATION_MS);
    expect(await verify(second, a)).toMatchObject({ result: 'INVALID', reason: 'REPORTED_LOST' });
    const stored = await db('lossReports').where('id', first.outcomes[1].lossReportId).first();
    expect(stored).toMatchObject({ source: 'import', circumstance: 'stolen', authorityRegionCode: COUNTIES.zhengzhouJinshui, importKey: `ext:${COUNTIES.zhengzhouJinshui}:HN-2015-0002` });
    expect(stored.reportedAt.toISOString()).toBe(REPORTED_AT);
    expect(await db('auditLog').where({ subjectId: stored.id, action: 'loss_report.imported' })).toHaveLength(1);

    const rerun = await importFile(body);
    expect(rerun.outcomes.slice(0, 3)).toEqual([
      { line: 1, ok: true, status: 'already_imported', lossReportId: first.outcomes[0].lossReportId },
      { line: 2, ok: true, status: 'already_imported', lossReportId: first.outcomes[1].lossReportId },
      { line: 4, ok: true, status: 'already_imported', lossReportId: first.outcomes[2].lossReportId },
    ]);
    expect(rerun.last.summary).toEqual({ lines: 9, imported: 0, alreadyImported: 3, failed: 6 });
    const reports = await db('lossReports').join('cards', 'cards.id', 'lossReports.cardId').whereIn('cards.idNumber', [a.idNumber, b.idNumber, c.idNumber]);
    expect(reports).toHaveLength(3);
  });

  test('when a valid line is followed by many refused ones, then the outcomes still come back in line order', async () => {
    const [valid] = await citizens(1);
    const body = [line(valid), ...Array.from({ length: 600 }, () => '{ not json')].join('\n');
    const { outcomes } = await importFile(body);
    expect(outcomes.map((outcome: { line: number }) => outcome.line)).toEqual(Array.from({ length: 601 }, (_, index) => index + 1));
    expect(outcomes[0]).toMatchObject({ ok: true });
  });

  test('when a report of a card replaced since is imported, then it is refused as at the counter (card_not_active) and nothing is recorded; the person’s current card is imported', async () => {
    const oldFrom = chinaDay(-3650);
    const newFrom = chinaDay(-400);
    const citizen = await newCitizen(db, { cards: [{ validFrom: oldFrom, status: 'SUPERSEDED' }, { validFrom: newFrom }] });
    const result = await importFile([line(citizen, { reportedAt: startOf(chinaDay(-3000)) }), line(citizen, { cardValidFrom: newFrom })].join('\n'));
    expect(result.outcomes).toEqual([
      { line: 1, ok: false, code: 'card_not_active', cardStatus: 'SUPERSEDED', detail: '该证件已失效（已换领新证），无需挂失。' },
      { line: 2, ok: true, status: 'imported', lossReportId: expect.any(String) },
    ]);
    const cards = await db('cards').where('idNumber', citizen.idNumber).orderBy('validFrom').select('validFrom', 'status');
    expect(cards).toEqual([
      { validFrom: oldFrom, status: 'SUPERSEDED' },
      { validFrom: newFrom, status: 'REPORTED_LOST' },
    ]);
    const reports = await db('lossReports').join('cards', 'cards.id', 'lossReports.cardId').where('cards.idNumber', citizen.idNumber).select('cards.validFrom');
    expect(reports).toEqual([{ validFrom: newFrom }]);
  });

  test('when a report is dated before its card’s validFrom, then it is refused (reported_before_valid_from) and the card stays valid; dated on that day’s first instant in China, it is imported', async () => {
    const validFrom = chinaDay(-30);
    const [early, onTime] = await Promise.all([newCitizen(db, { cards: [{ validFrom }] }), newCitizen(db, { cards: [{ validFrom }] })]);
    const result = await importFile([line(early, { reportedAt: endOf(chinaDay(-31)) }), line(onTime, { reportedAt: startOf(validFrom) })].join('\n'));
    expect(result.outcomes).toEqual([
      { line: 1, ok: false, code: 'reported_before_valid_from', cardValidFrom: validFrom, detail: `该证件自 ${validFrom} 起有效，挂失日期不能早于其签发日期。` },
      { line: 2, ok: true, status: 'imported', lossReportId: expect.any(String) },
    ]);
    expect(await verify(api, early)).toMatchObject({ result: 'VALID' });
    expect(await verify(api, onTime)).toMatchObject({ result: 'INVALID', reason: 'REPORTED_LOST' });
    expect((await db('lossReports').where('id', result.outcomes[1].lossReportId).first()).reportedAt.toISOString()).toBe(new Date(startOf(validFrom)).toISOString());
  });

  test('when refused lines are imported, then each refusal is in the caller’s language (zh-CN by default, en on request) with the same code and facts', async () => {
    const validFrom = chinaDay(-30);
    const [person, replaced, notYet] = await Promise.all([citizens(1).then(([one]) => one), newCitizen(db, { cards: [{ validFrom: chinaDay(-3650), status: 'SUPERSEDED' }] }), newCitizen(db, { cards: [{ validFrom }] })]);
    const body = [
      '{ not json',
      line(person, { authorityRegionCode: '999999' }),
      line(person, { cardValidFrom: '1999-01-01' }),
      line(person, { name: '别人' }),
      line(replaced),
      line(notYet, { reportedAt: endOf(chinaDay(-31)) }),
      line(person, { reportedAt: new Date(Date.now() + DAY_MS).toISOString() }),
    ].join('\n');
    const importIn = async (language?: string) => {
      const response = await fetch(`${api.url}/v1/loss-reports/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${importer}`, 'content-type': 'application/x-ndjson', ...(language ? { 'accept-language': language } : {}) },
        body,
      });
      const entries = (await response.text()).trim().split('\n').map((text) => JSON.parse(text));
      return { language: response.headers.get('content-language'), outcomes: entries.filter((entry: { line?: number }) => entry.line !== undefined) };
    };
    const chinese = await importIn();
    const english = await importIn('en');
    expect([chinese.language, english.language]).toEqual(['zh-CN', 'en']);
    const codes = ['malformed_json', 'unknown_region', 'card_not_found', 'name_mismatch', 'card_not_active', 'reported_before_valid_from', 'validation_failed'];
    expect(chinese.outcomes.map((o: { code: string }) => o.code)).toEqual(codes);
    expect(english.outcomes.map((o: { code: string }) => o.code)).toEqual(codes);
    expect(chinese.outcomes.map((o: { detail: string }) => o.detail)).toEqual([
      '该行不是有效的 JSON。',
      'authorityRegionCode：无此行政区划。',
      '未找到该公民身份号码和有效期起始日对应的证件。',
      '姓名与人口信息系统登记的不符。',
      '该证件已失效（已换领新证），无需挂失。',
      `该证件自 ${validFrom} 起有效，挂失日期不能早于其签发日期。`,
      '该行以下字段无效：reportedAt。',
    ]);
    expect(english.outcomes.map((o: { detail: string }) => o.detail)).toEqual([
      'The line is not valid JSON.',
      'authorityRegionCode: no such region',
      'No card with this citizen number and validity start is on record.',
      'The name does not match the population registry.',
      'The card is no longer valid (SUPERSEDED); there is nothing to report.',
      `The card is valid from ${validFrom}; a loss report cannot be dated ${chinaDay(-31)}, before it was issued.`,
      'reportedAt: must not be in the future',
    ]);
    // The facts do not depend on the language.
    const facts = (outcome: { detail: string }) => ({ ...outcome, detail: undefined });
    expect(chinese.outcomes.map(facts)).toEqual(english.outcomes.map(facts));
    expect(english.outcomes[6].errors).toEqual([{ field: 'reportedAt', message: 'must not be in the future', code: 'in_future' }]);
    expect(await verify(api, person)).toMatchObject({ result: 'VALID' });
  });

  test('when an importer imports, then its own region is the authority and other authorities are refused per line, their cards untouched', async () => {
    const [mine, theirs] = await citizens(2);
    const result = await importFile([line(mine, { authorityRegionCode: undefined }), line(theirs, { authorityRegionCode: COUNTIES.beijingChaoyang })].join('\n'));
    expect(result.outcomes).toEqual([
      expect.objectContaining({ line: 1, ok: true, status: 'imported' }),
      expect.objectContaining({ line: 2, ok: false, code: 'forbidden_jurisdiction' }),
    ]);
    const stored = await db('lossReports').where('id', result.outcomes[0].lossReportId).first();
    expect(stored.authorityRegionCode).toBe(COUNTIES.zhengzhouJinshui);
    expect(await verify(api, theirs)).toMatchObject({ result: 'VALID' });
  });

  test('when a line names the wrong person or lacks the fingerprint comparison, then it is refused as at the counter and the card stays valid', async () => {
    const [misnamed, unchecked, mismatched, noPrints] = await citizens(4);
    const withoutPrints = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui, hasFingerprints: false });
    const result = await importFile([
      line(misnamed, { name: '别人' }),
      line(unchecked, { fingerprintMatched: undefined }),
      line(mismatched, { fingerprintMatched: false }),
      line({ ...noPrints, name: '' }),
      line(withoutPrints, { fingerprintMatched: undefined }),
    ].join('\n'));
    expect(result.outcomes.map((o: { line: number; ok: boolean; code?: string; status?: string }) => [o.line, o.ok ? o.status : o.code])).toEqual([
      [1, 'name_mismatch'],
      [2, 'fingerprint_check_required'],
      [3, 'fingerprint_mismatch'],
      [4, 'validation_failed'],
      [5, 'imported'],
    ]);
    for (const person of [misnamed, unchecked, mismatched, noPrints]) expect(await verify(api, person)).toMatchObject({ result: 'VALID' });
    expect(JSON.stringify(result)).not.toContain(misnamed.name);
  });

  test('when a station, an admin or a unit imports, then 403: only the bulk role may', async () => {
    const [person] = await citizens(1);
    for (const token of [station, admin, unit]) {
      const refused = await importFile(line(person), token);
      expect({ status: refused.status, code: refused.last.code }).toEqual({ status: 403, code: 'forbidden_role' });
    }
    expect(await verify(api, person)).toMatchObject({ result: 'VALID' });
  });

  test('when the body is not NDJSON or the caller may not import, then a problem response', async () => {
    expect((await importFile('{}', importer, 'application/json')).last.code).toBe('unsupported_media_type');
    expect((await importFile('{}', unit)).status).toBe(403);
    expect((await call(api, 'POST', '/v1/loss-reports/import', { body: '{}', headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(401);
  });

  test('when a large file is sent, then outcomes stream back before the upload ends, batch after batch', async () => {
    const people = await citizens(600);
    const lines = people.map((person, i) => line(person, { externalId: `BULK-${person.idNumber}-${i}` }));
    const url = new URL(`${api.url}/v1/loss-reports/import`);
    const received: string[] = [];
    let answeredBeforeUploadEnded = false;
    let uploadEnded = false;
    const streamed = new Promise<void>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { authorization: `Bearer ${importer}`, 'content-type': 'application/x-ndjson' } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (!uploadEnded) {
            answeredBeforeUploadEnded = true;
            uploadEnded = true;
            req.end(`${lines.slice(550).join('\n')}\n`); // the rest, once the first batch was answered
          }
          received.push(chunk);
        });
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.write(`${lines.slice(0, 550).join('\n')}\n`);
    });
    await within(streamed, IMPORT_ANSWER_BOUND_MS, 'the import\'s answer did not end');
    expect(answeredBeforeUploadEnded).toBe(true);
    const outcomes = received.join('').trim().split('\n').map((text) => JSON.parse(text));
    expect(outcomes.at(-1)).toEqual({ summary: { lines: 600, imported: 600, alreadyImported: 0, failed: 0 } });
    expect(outcomes.slice(0, -1).map((o: { line: number }) => o.line)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  }, 60_000);

  describe('limits', () => {
    let limited: RunningApi;
    beforeAll(async () => {
      limited = await startApi(db, { config: { LOSS_REPORT_IMPORT_MAX_LINES: 3, LOSS_REPORT_IMPORT_MAX_BYTES: 4096 } });
    });
    afterAll(() => limited?.close());

    test('when the declared body is larger than allowed, then 413 problem+json before anything is read or written', async () => {
      const people = await citizens(40);
      const answer = await call(limited, 'POST', '/v1/loss-reports/import', { token: importer, body: people.map((person) => line(person)).join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
      expect(answer.status).toBe(413);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 413, code: 'import_too_large', detail: expect.stringContaining('4096') });
      expect(await db('lossReports').join('cards', 'cards.id', 'lossReports.cardId').whereIn('cards.idNumber', people.map((person) => person.idNumber))).toHaveLength(0);
    });

    test('when a file has more lines than allowed, then the lines within the limit are answered and the stream ends with a problem naming the limit', async () => {
      const people = await citizens(5);
      const result = await importFile(people.map((person) => line(person)).join('\n'), importer, 'application/x-ndjson', limited);
      expect(result.outcomes.map((outcome: { line: number; ok: boolean }) => [outcome.line, outcome.ok])).toEqual([[1, true], [2, true], [3, true]]);
      expect(result.last).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 413, code: 'import_too_many_lines', detail: expect.stringContaining('3'), summary: { lines: 3, imported: 3, alreadyImported: 0, failed: 0 } });
      expect(await verify(api, people[3])).toMatchObject({ result: 'VALID' });
    });

    test('when an upload without a declared length grows past the limit, then the stream ends with import_too_large', async () => {
      const people = await citizens(2);
      const url = new URL(`${limited.url}/v1/loss-reports/import`);
      const answered = new Promise<string>((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', headers: { authorization: `Bearer ${importer}`, 'content-type': 'application/x-ndjson' } }, (res) => {
          let received = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (received += chunk));
          res.on('end', () => resolve(received));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.write(`${line(people[0])}\n${' '.repeat(5000)}\n${line(people[1])}\n`);
        req.end();
      });
      const text = await within(answered, IMPORT_ANSWER_BOUND_MS, 'the import\'s answer did not end');
      const last = JSON.parse(text.trim().split('\n').at(-1)!);
      expect(last).toMatchObject({ status: 413, code: 'import_too_large' });
      expect(await verify(api, people[1])).toMatchObject({ result: 'VALID' });
    });
  });
});
