import type { Clock } from '../../config/clock';
import { addYears, chinaDateOf, validUntilFor } from '../../domain';
import { call } from '../support/api';
import { acceptanceOf, expectProblem, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { newCitizen, newToken, stationIn } from '../support/fixtures';

/**
 * "Today" is China's date (Asia/Shanghai) for acceptance and for the printed card's validity, through
 * the injected clock. This file's own places: a station in Nanchong, Sichuan (511302) accepting
 * people registered in Nanning, Guangxi (450102) — a pair no pilot rule covers, so only the
 * nationwide rule (from 2017-07-01 in the reference data) lets the station accept them.
 */
const STATION = stationIn('511302');
const HOME = '450102';
const NATIONWIDE_FROM = '2017-07-01';

/** A clock the test moves: every request reads it when it asks for now or today. */
const clock: Clock & { at: number } = { at: Date.now(), now: () => new Date(clock.at), today: () => chinaDateOf(clock.at) };
const DAY_MS = 86_400_000;
const dayAfter = (date: string, days = 1) => chinaDateOf(Date.parse(`${date}T00:00:00+08:00`) + days * DAY_MS);

let harness: ApplicationsApi;
const tokens = { station: '', reviewer: '', production: '' };

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['45'], clock });
  tokens.station = await newToken(harness.db, 'station', { stationCode: STATION });
  tokens.reviewer = await newToken(harness.db, 'reviewer', { regionCode: '450000' });
  tokens.production = await newToken(harness.db, 'production', { provinceCode: '450000' });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const post = (token: string, path: string, body: unknown) => call(harness.api, 'POST', path, { token, body });

describe('acceptance takes China’s date', () => {
  test('when it is 15:30 UTC the day before the nationwide rule starts (23:30 in China), then the station may not accept; at 16:30 UTC (00:30 in China on the first day), then it may, though the UTC date is still the day before', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME });
    const dayBefore = dayAfter(NATIONWIDE_FROM, -1);

    clock.at = Date.parse(`${dayBefore}T15:30:00Z`);
    expectProblem(await post(tokens.station, '/v1/applications', acceptanceOf(citizen)), 422, 'station_not_allowed');

    clock.at = Date.parse(`${dayBefore}T16:30:00Z`);
    expect(new Date(clock.at).toISOString().slice(0, 10)).toBe(dayBefore);
    const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen));
    expect(accepted.status).toBe(201);
  }, 60_000);
});

describe('POST /v1/applications/{id}/printed: validity by the holder’s age on the issue date, today being China’s', () => {
  test('when it is 16:30 UTC on the acceptance day (00:30 the next day in China), then the next day is today: validFrom the day after is refused, the next day is derived when omitted, validUntil by age', async () => {
    clock.at = Date.now();
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME });
    const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen));
    expect(accepted.status).toBe(201);
    const id: string = accepted.body.applicationId;
    expect((await post(tokens.reviewer, `/v1/applications/${id}/review`, { decision: 'approve' })).body.stage).toBe('PRINTING');

    const acceptedOn = chinaDateOf(Date.parse(accepted.body.acceptedAt));
    clock.at = Date.parse(`${acceptedOn}T16:30:00Z`); // the UTC date is still the acceptance day
    const chinaToday = dayAfter(acceptedOn);
    expect(clock.today()).toBe(chinaToday);
    const birthDate = (await harness.db('citizens').where('idNumber', citizen.idNumber).first('birthDate')).birthDate as string;
    const lawful = validUntilFor(birthDate, chinaToday);

    const tooLate = await post(tokens.production, `/v1/applications/${id}/printed`, { validFrom: dayAfter(chinaToday) });
    expectProblem(tooLate, 422, 'valid_from_out_of_range');
    expect(tooLate.body).toMatchObject({ earliest: acceptedOn, latest: chinaToday });
    const beforeAcceptance = await post(tokens.production, `/v1/applications/${id}/printed`, { validFrom: dayAfter(acceptedOn, -1), validUntil: null });
    expect(beforeAcceptance.body.code).toMatch(/^(valid_from_out_of_range|valid_from_not_after_existing_card)$/);

    const wrongEnd = lawful === null ? addYears(chinaToday, 20) : null;
    const mismatch = await post(tokens.production, `/v1/applications/${id}/printed`, { validFrom: chinaToday, validUntil: wrongEnd });
    expectProblem(mismatch, 422, 'valid_until_mismatch');
    expect(mismatch.body.expectedValidUntil).toBe(lawful);
    const english = await call(harness.api, 'POST', `/v1/applications/${id}/printed`, { token: tokens.production, body: { validFrom: chinaToday, validUntil: wrongEnd }, headers: { 'accept-language': 'en' } });
    expect(english.body).toMatchObject({ code: 'valid_until_mismatch', title: 'Refused' });
    expect(mismatch.body.title).toBe('有效期限与法定期限不符');
    expect(await harness.db('applications').where('id', id).first('stage')).toEqual({ stage: 'PRINTING' });

    const printed = await post(tokens.production, `/v1/applications/${id}/printed`, {});
    expect(printed.status).toBe(200);
    expect(printed.body.newCard).toEqual({ validFrom: chinaToday, validUntil: lawful });
    expect(await harness.db('applications').where('id', id).first('newCardValidFrom', 'newCardValidUntil')).toEqual({ newCardValidFrom: chinaToday, newCardValidUntil: lawful });
  }, 60_000);
});
