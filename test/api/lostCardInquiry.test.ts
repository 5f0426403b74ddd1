import { call, startApi, type RunningApi } from '../support/api';
import { api, db } from '../support/apiPerFile';
import { expectProblem } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

let station: string;
const stationCode = stationIn(COUNTIES.shanghaiPudong);
beforeAll(async () => {
  station = await newToken(db, 'station', { stationCode });
});

const ask = (target: RunningApi, body: unknown) => call(target, 'POST', '/v1/lost-card-inquiries', { body });

describe('POST /v1/lost-card-inquiries (no login)', () => {
  test('when the citizen’s card was handed in, then the answer says it is held and at which station, with its address', async () => {
    const citizen = await newCitizen(db, { cards: [{ status: 'REPORTED_LOST' }] });
    expect((await ask(api, { idNumber: citizen.idNumber, name: citizen.name })).body).toEqual({ held: false, cards: [] });
    const handed = await call(api, 'POST', '/v1/found-cards', { token: station, body: { idNumber: citizen.idNumber, cardValidFrom: citizen.cards[0].validFrom } });
    expect(handed.body.disposition).toBe('HOLD_FOR_OWNER');
    const answer = await ask(api, { idNumber: citizen.idNumber, name: citizen.name });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ held: true, cards: [{ cardValidFrom: citizen.cards[0].validFrom, handedInAt: expect.any(String), station: { name: expect.stringContaining('户政窗口'), address: '浦东新区公安分局户政服务大厅' } }] });
  });

  test('when the name does not match or the number is unknown, then 404 alike; a malformed number is 400', async () => {
    const citizen = await newCitizen(db);
    expectProblem(await ask(api, { idNumber: citizen.idNumber, name: '别人' }), 404, 'not_found');
    const stranger = await newCitizen(db, { cards: [] });
    await db('citizens').where('idNumber', stranger.idNumber).delete();
    expectProblem(await ask(api, { idNumber: stranger.idNumber, name: stranger.name }), 404, 'not_found');
    expectProblem(await ask(api, { idNumber: '123', name: 'x' }), 400, 'invalid_id_number');
  });

  test('when one address asks too often, then 429 rate_limited', async () => {
    const limited = await startApi(db, { config: { STATUS_LOOKUP_RATE_LIMIT: 2 } });
    try {
      const citizen = await newCitizen(db);
      for (let n = 0; n < 2; n++) expect((await ask(limited, { idNumber: citizen.idNumber, name: citizen.name })).status).toBe(200);
      expectProblem(await ask(limited, { idNumber: citizen.idNumber, name: citizen.name }), 429, 'rate_limited');
    } finally {
      await limited.close();
    }
  });
});
