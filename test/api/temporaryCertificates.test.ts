import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/knex';
import { certificateValidUntil } from '../../domain/temporaryCertificates';
import { call, startApi, type RunningApi } from '../support/api';
import { expectProblem } from '../support/applicationsApi';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken } from '../support/fixtures';

let db: Db;
let api: RunningApi;
const tokens = { post: '', unit: '', station: '' };
beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  tokens.post = await newToken(db, 'police_post', { regionCode: COUNTIES.beijingChaoyang });
  tokens.unit = await newToken(db, 'unit', { unitId: (await db('cardUsingUnits').first('id')).id });
  tokens.station = await newToken(db, 'station', { stationCode: 'S11010501' });
});
afterAll(async () => {
  await api.close();
  await db.destroy();
});

const post = (token: string, path: string, body: unknown) => call(api, 'POST', path, { token, body });

describe('a temporary identity certificate (临时身份证明) over HTTP', () => {
  test('when a police post issues one for a person whose card was reported lost, then a unit verifies it VALID by number and name until it expires', async () => {
    const citizen = await newCitizen(db, { cards: [{ status: 'REPORTED_LOST' }] });
    const issued = await post(tokens.post, '/v1/temporary-certificates', { idNumber: citizen.idNumber, name: citizen.name, fingerprintMatched: true });
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ certificateId: expect.any(String), certificateNumber: expect.stringMatching(/^LS\d{14}$/), issuedAt: expect.any(String), validUntil: expect.any(String) });
    // Default validity: to the end of the next day in China.
    expect(issued.body.validUntil).toBe(certificateValidUntil(new Date(issued.body.issuedAt)).toISOString());
    const number = issued.body.certificateNumber;

    const valid = await post(tokens.unit, '/v1/certificate-verifications', { certificateNumber: number, name: citizen.name });
    expect(valid.body).toEqual({ result: 'VALID', validUntil: issued.body.validUntil, checkedAt: expect.any(String) });
    expect(JSON.stringify(valid.body)).not.toContain(citizen.idNumber);

    const wrongName = await post(tokens.unit, '/v1/certificate-verifications', { certificateNumber: number, name: '别人' });
    expect(wrongName.body).toMatchObject({ result: 'INVALID', reason: 'NAME_MISMATCH' });
    const unknown = await post(tokens.unit, '/v1/certificate-verifications', { certificateNumber: 'LS26113000000000', name: citizen.name });
    expect(unknown.body).toMatchObject({ result: 'INVALID', reason: 'NOT_FOUND' });

    // Time passes: the certificate runs out.
    await db('temporaryCertificates').where('number', number).update({ issuedAt: new Date(Date.now() - 3 * 86_400_000), validUntil: new Date(Date.now() - 1000) });
    const expired = await post(tokens.unit, '/v1/certificate-verifications', { certificateNumber: number, name: citizen.name });
    expect(expired.body).toMatchObject({ result: 'INVALID', reason: 'EXPIRED' });
  });

  test('when the person is blacklisted, the name is wrong, the identity was not confirmed, or the person is unknown, then it is refused and nothing is issued', async () => {
    const blacklisted = await newCitizen(db);
    await db('blacklistEntries').insert({ id: randomUUID(), idNumber: blacklisted.idNumber, category: 'IMPERSONATION', source: 'test', addedBy: 'test', addedAt: new Date() });
    expectProblem(await post(tokens.post, '/v1/temporary-certificates', { idNumber: blacklisted.idNumber, name: blacklisted.name, photoMatched: true }), 422, 'refused_blacklisted');
    const citizen = await newCitizen(db);
    expectProblem(await post(tokens.post, '/v1/temporary-certificates', { idNumber: citizen.idNumber, name: '别人', photoMatched: true }), 422, 'name_mismatch');
    expectProblem(await post(tokens.post, '/v1/temporary-certificates', { idNumber: citizen.idNumber, name: citizen.name, photoMatched: false }), 422, 'identity_not_confirmed');
    const stranger = await newCitizen(db, { cards: [] });
    await db('citizens').where('idNumber', stranger.idNumber).delete();
    expectProblem(await post(tokens.post, '/v1/temporary-certificates', { idNumber: stranger.idNumber, name: stranger.name, photoMatched: true }), 404, 'unknown_citizen');
    expect(await db('temporaryCertificates').whereIn('idNumber', [blacklisted.idNumber, citizen.idNumber])).toEqual([]);
  });

  test('when the caller is not a police post, or the body is malformed, then 403 or 400', async () => {
    const citizen = await newCitizen(db);
    expectProblem(await post(tokens.station, '/v1/temporary-certificates', { idNumber: citizen.idNumber, name: citizen.name, photoMatched: true }), 403, 'forbidden_role');
    expectProblem(await post(tokens.post, '/v1/temporary-certificates', { idNumber: '110105199001011234', name: citizen.name }), 400, 'invalid_id_number');
    expectProblem(await post(tokens.unit, '/v1/certificate-verifications', { certificateNumber: 'nope', name: 'x' }), 400, 'validation_failed');
    expectProblem(await post(tokens.station, '/v1/certificate-verifications', { certificateNumber: 'LS26113000000000', name: 'x' }), 403, 'forbidden_role');
  });
});

describe('certificateValidUntil', () => {
  test('when issued late in the evening in China, then valid to the end of the next China day; with hours configured, that many hours', () => {
    // 2026-11-30 23:30 in China is 15:30 UTC.
    expect(certificateValidUntil(new Date('2026-11-30T15:30:00Z')).toISOString()).toBe('2026-12-01T16:00:00.000Z');
    // 2026-12-01 00:10 in China (16:10 UTC the day before) is already the 1st: valid to the end of the 2nd.
    expect(certificateValidUntil(new Date('2026-11-30T16:10:00Z')).toISOString()).toBe('2026-12-02T16:00:00.000Z');
    expect(certificateValidUntil(new Date('2026-11-30T16:10:00Z'), 6).toISOString()).toBe('2026-11-30T22:10:00.000Z');
  });
});
