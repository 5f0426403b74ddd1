import { call } from '../support/api';
import { api, db } from '../support/apiPerFile';
import { COUNTIES, newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

let station: string;
let otherStation: string;
let unit: string;

beforeAll(async () => {
  station = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.chengduWuhou) });
  otherStation = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shanghaiPudong) });
  unit = await newToken(db, 'unit', { unitId: 'icbc' });
}, 60_000);

const handIn = (citizen: TestCitizen, validFrom = citizen.cards[0].validFrom, token = station) =>
  call(api, 'POST', '/v1/found-cards', { token, body: { idNumber: citizen.idNumber, cardValidFrom: validFrom } });
const verify = (citizen: TestCitizen, validFrom: string) =>
  call(api, 'POST', '/v1/verifications', { token: unit, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: validFrom } });

describe('POST /v1/found-cards', () => {
  test('when the owner’s current card is handed in, then 201 HOLD_FOR_OWNER, registered and audited', async () => {
    const citizen = await newCitizen(db);
    const answer = await handIn(citizen);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ foundCardId: expect.any(String), disposition: 'HOLD_FOR_OWNER' });
    expect(await db('foundCards').where('id', answer.body.foundCardId).first()).toMatchObject({ state: 'HELD', handedInStationCode: stationIn(COUNTIES.chengduWuhou) });
    expect(await db('auditLog').where({ subjectId: answer.body.foundCardId, action: 'found_card.handed_in' })).toHaveLength(1);
  });

  test('when the owner’s card was reported lost and is handed in, then it is held for the owner', async () => {
    const citizen = await newCitizen(db, { cards: [{ status: 'REPORTED_LOST' }] });
    expect((await handIn(citizen)).body.disposition).toBe('HOLD_FOR_OWNER');
  });

  test.each([
    ['replaced by a newer card', [{ validFrom: '2008-07-01', validUntil: '2028-07-01', status: 'SUPERSEDED' as const }, { validFrom: '2022-07-01' }]],
    ['reported lost, then replaced by a newer card', [{ validFrom: '2008-07-01', validUntil: '2028-07-01', status: 'REPORTED_LOST' as const }, { validFrom: '2022-07-01', status: 'ACTIVE' as const }]],
    ['expired', [{ validFrom: '2001-07-01', validUntil: '2011-07-01', status: 'EXPIRED' as const }]],
    ['expired by date', [{ validFrom: '2001-07-01', validUntil: '2011-07-01', status: 'ACTIVE' as const }]],
  ])('when a card %s is handed in, then DESTROY', async (_what, cards) => {
    const citizen = await newCitizen(db, { cards });
    expect((await handIn(citizen, cards[0].validFrom)).body.disposition).toBe('DESTROY');
  });

  test('when the same card is handed in twice, then 409 already_handed_in; an unknown card is 404; malformed input 400', async () => {
    const citizen = await newCitizen(db);
    const first = await handIn(citizen);
    const again = await handIn(citizen, citizen.cards[0].validFrom, otherStation);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_handed_in', foundCardId: first.body.foundCardId });
    expect((await handIn(citizen, '1999-09-09')).body.code).toBe('card_not_found');
    // Two fields wrong: the request as a whole is validation_failed, each field with its own code.
    const malformed = (await call(api, 'POST', '/v1/found-cards', { token: station, body: { idNumber: '123', cardValidFrom: 'soon' } })).body;
    expect(malformed.code).toBe('validation_failed');
    expect(malformed.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'idNumber', code: 'invalid_id_number' })]));
    expect((await call(api, 'POST', '/v1/found-cards', { token: unit, body: {} })).status).toBe(403);
  });
});

describe('POST /v1/found-cards/inquiries', () => {
  test('when the owner asks at any station with the right name, then they learn where their card is held; a wrong name gets 422', async () => {
    const citizen = await newCitizen(db);
    const found = await handIn(citizen);
    const answer = await call(api, 'POST', '/v1/found-cards/inquiries', { token: otherStation, body: { idNumber: citizen.idNumber, name: citizen.name } });
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([
      expect.objectContaining({ foundCardId: found.body.foundCardId, cardValidFrom: citizen.cards[0].validFrom, state: 'HELD', disposition: 'HOLD_FOR_OWNER', handedInStationCode: stationIn(COUNTIES.chengduWuhou) }),
    ]);
    expect((await call(api, 'POST', '/v1/found-cards/inquiries', { token: otherStation, body: { idNumber: citizen.idNumber, name: '路人' } })).status).toBe(422);
    const nobody = await newCitizen(db);
    expect((await call(api, 'POST', '/v1/found-cards/inquiries', { token: station, body: { idNumber: nobody.idNumber, name: nobody.name } })).body.items).toEqual([]);
  });
});

describe('POST /v1/found-cards/{id}/return and /destroy', () => {
  test('when the holding station returns a held current card, then RETURNED, audited; it cannot be returned twice', async () => {
    const citizen = await newCitizen(db);
    const found = await handIn(citizen);
    expect((await call(api, 'POST', `/v1/found-cards/${found.body.foundCardId}/return`, { token: otherStation, body: {} })).status).toBe(403);
    const returned = await call(api, 'POST', `/v1/found-cards/${found.body.foundCardId}/return`, { token: station, body: { note: '本人持户口簿领回' } });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ state: 'RETURNED' });
    expect((await call(api, 'POST', `/v1/found-cards/${found.body.foundCardId}/return`, { token: station, body: {} })).body.code).toBe('wrong_state');
    const audited = await db('auditLog').where({ subjectId: found.body.foundCardId, action: 'found_card.returned' });
    expect(audited).toHaveLength(1);
    // The note the station gave is kept with the audit entry, not checked and dropped.
    expect(audited[0].details).toMatchObject({ note: '本人持户口簿领回' });
  });

  test('when a replaced card is destroyed, then DESTROYED is registered, the card reads as what it was (SUPERSEDED, never NOT_ISSUED), and a current card cannot be destroyed', async () => {
    const citizen = await newCitizen(db, { cards: [{ validFrom: '2008-07-01', validUntil: '2028-07-01', status: 'SUPERSEDED' }, { validFrom: '2022-07-01' }] });
    expect((await verify(citizen, '2008-07-01')).body.reason).toBe('SUPERSEDED');
    const old = await handIn(citizen, '2008-07-01');
    expect((await call(api, 'POST', `/v1/found-cards/${old.body.foundCardId}/return`, { token: station, body: {} })).body.code).toBe('must_be_destroyed');
    const destroyed = await call(api, 'POST', `/v1/found-cards/${old.body.foundCardId}/destroy`, { token: station, body: {} });
    expect(destroyed.status).toBe(200);
    expect(destroyed.body.state).toBe('DESTROYED');
    expect((await db('cards').where({ idNumber: citizen.idNumber, validFrom: '2008-07-01' }).first()).status).toBe('DESTROYED');
    expect((await verify(citizen, '2008-07-01')).body.reason).toBe('SUPERSEDED');

    const current = await handIn(citizen, '2022-07-01');
    expect(current.body.disposition).toBe('HOLD_FOR_OWNER');
    expect((await call(api, 'POST', `/v1/found-cards/${current.body.foundCardId}/destroy`, { token: station, body: {} })).body.code).toBe('card_is_current');
  });

  test('when a held card is replaced before the owner comes, then it must be destroyed instead of returned', async () => {
    const citizen = await newCitizen(db);
    const found = await handIn(citizen);
    await db.transaction(async (trx) => {
      await trx('cards').where({ idNumber: citizen.idNumber }).update({ status: 'SUPERSEDED' });
      await trx('cards').insert({ idNumber: citizen.idNumber, validFrom: '2025-09-01', validUntil: '2045-09-01', status: 'ACTIVE', hasFingerprints: true });
    });
    expect((await call(api, 'POST', `/v1/found-cards/${found.body.foundCardId}/return`, { token: station, body: {} })).body.code).toBe('must_be_destroyed');
    expect((await call(api, 'POST', `/v1/found-cards/${found.body.foundCardId}/destroy`, { token: station, body: {} })).status).toBe(200);
  });

  test('when the found card does not exist, then 404', async () => {
    expect((await call(api, 'POST', '/v1/found-cards/nope/return', { token: station, body: {} })).status).toBe(404);
    expect((await call(api, 'POST', '/v1/found-cards/7a6b4c2e-0000-4000-8000-000000000000/destroy', { token: station, body: {} })).status).toBe(404);
  });
});
