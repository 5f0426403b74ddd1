import { call } from '../support/api';
import { api, db } from '../support/apiPerFile';
import { expectProblem } from '../support/applicationsApi';
import { newCitizen, newToken, stationIn } from '../support/fixtures';

/**
 * GET /v1/blacklist: the entries a manager may act on. People of Chongqing (沙坪坝) and Tianjin (河西), whose
 * blacklist entries no other test file makes; the national admin sees them among everyone else's.
 */
const CHONGQING = '500106';
const TIANJIN = '120103';
const tokens = { chongqingManager: '', tianjinManager: '', nationalManager: '', admin: '', station: '' };

beforeAll(async () => {
  tokens.chongqingManager = await newToken(db, 'manager', { regionCode: '500000' });
  tokens.tianjinManager = await newToken(db, 'manager', { regionCode: '120000' });
  tokens.nationalManager = await newToken(db, 'manager');
  tokens.admin = await newToken(db, 'admin');
  tokens.station = await newToken(db, 'station', { stationCode: stationIn(CHONGQING) });
}, 60_000);

async function blacklisted(homeRegionCode: string, category = 'FORGERY') {
  const citizen = await newCitizen(db, { homeRegionCode });
  const added = await call(api, 'POST', '/v1/blacklist', { token: tokens.nationalManager, body: { idNumber: citizen.idNumber, category, source: 'case file 2026-07' } });
  expect(added.status).toBe(201);
  return { citizen, id: added.body.blacklistEntryId as string };
}

const idsOf = (body: { items: Array<{ blacklistEntryId: string }> }) => body.items.map((item) => item.blacklistEntryId);

describe('GET /v1/blacklist', () => {
  test("when a regional manager lists, then the entries about the region's people come newest first with each person's name, none of another region's, removed ones only when asked", async () => {
    const older = await blacklisted(CHONGQING);
    const newer = await blacklisted(CHONGQING, 'TRADING');
    const removed = await blacklisted(CHONGQING);
    const elsewhere = await blacklisted(TIANJIN);
    expect((await call(api, 'DELETE', `/v1/blacklist/${removed.id}`, { token: tokens.admin, body: { reason: 'overturned on appeal' } })).status).toBe(200);

    const active = await call(api, 'GET', '/v1/blacklist', { token: tokens.chongqingManager });
    expect(active.status).toBe(200);
    expect(idsOf(active.body)).toEqual([newer.id, older.id]);
    expect(active.body.items[0]).toMatchObject({ idNumber: newer.citizen.idNumber, category: 'TRADING', removedAt: null, person: { name: newer.citizen.name, homeRegionCode: CHONGQING } });
    expect(active.body.nextCursor).toBeNull();

    const gone = await call(api, 'GET', '/v1/blacklist?state=removed', { token: tokens.chongqingManager });
    expect(gone.body.items).toEqual([expect.objectContaining({ blacklistEntryId: removed.id, removalReason: 'overturned on appeal', removedAt: expect.any(String) })]);
    expect(idsOf((await call(api, 'GET', '/v1/blacklist?state=all', { token: tokens.chongqingManager })).body)).toEqual([removed.id, newer.id, older.id]);

    expect(idsOf((await call(api, 'GET', '/v1/blacklist', { token: tokens.tianjinManager })).body)).toEqual([elsewhere.id]);
    const everyone = idsOf((await call(api, 'GET', '/v1/blacklist?state=all', { token: tokens.admin })).body);
    expect(everyone.indexOf(elsewhere.id)).toBeLessThan(everyone.indexOf(removed.id)); // newest first
  });

  test('when there are more than a page, then the cursor carries on where the page ended, each entry once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 52; i += 1) made.push((await blacklisted(TIANJIN)).id);
    const first = await call(api, 'GET', '/v1/blacklist', { token: tokens.tianjinManager });
    expect(first.body.items).toHaveLength(50);
    const second = await call(api, 'GET', `/v1/blacklist?cursor=${first.body.nextCursor}`, { token: tokens.tianjinManager });
    expect(second.body.nextCursor).toBeNull();
    const listed = [...idsOf(first.body), ...idsOf(second.body)];
    expect(listed.slice(0, 52)).toEqual([...made].reverse());
    expect(new Set(listed).size).toBe(listed.length);
  });

  test('when a station asks, or the state or cursor is not one of ours, then 403 or 400', async () => {
    expectProblem(await call(api, 'GET', '/v1/blacklist', { token: tokens.station }), 403, 'forbidden_role');
    expectProblem(await call(api, 'GET', '/v1/blacklist?state=deleted', { token: tokens.admin }), 400, 'validation_failed');
    expectProblem(await call(api, 'GET', '/v1/blacklist?cursor=bm90LW91cnM', { token: tokens.admin }), 400, 'invalid_cursor');
  });
});
