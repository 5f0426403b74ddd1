import { call } from '../support/api';
import { acceptanceOf, eventually, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { newCitizen, newToken, stationIn } from '../support/fixtures';

/**
 * The overdue listing once time has passed, skipped by the engine's test clock: applications accepted
 * on three days at a Guiyang (贵州) station for Nanning (广西) residents, and a few at a Jinan (山东)
 * station for Shijiazhuang (河北) residents, regions no other test file uses.
 */
let harness: ApplicationsApi;
const guiyang = { station: stationIn('520102'), home: '450102' };
const jinan = { station: stationIn('370102'), home: '130102' };
const tokens = { guiyangStation: '', jinanStation: '', guangxiReviewer: '', nationalManager: '', guizhouManager: '', shandongManager: '' };
const DAY = '1 day';
const WAVES = [20, 20, 15];

interface Accepted {
  applicationId: string;
  deadlineAt: string;
}
const world = { waves: [] as Accepted[][], jinan: [] as Accepted[], withdrawn: '', extended: '' };

async function accept(token: string, homeRegionCode: string): Promise<Accepted> {
  const citizen = await newCitizen(harness.db, { homeRegionCode });
  const answer = await call(harness.api, 'POST', '/v1/applications', { token, body: acceptanceOf(citizen) });
  expect(answer.status).toBe(201);
  return answer.body;
}

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: [] });
  const { db } = harness;
  tokens.guiyangStation = await newToken(db, 'station', { stationCode: guiyang.station });
  tokens.jinanStation = await newToken(db, 'station', { stationCode: jinan.station });
  tokens.guangxiReviewer = await newToken(db, 'reviewer', { regionCode: '450000' });
  tokens.nationalManager = await newToken(db, 'manager');
  tokens.guizhouManager = await newToken(db, 'manager', { regionCode: '520000' });
  tokens.shandongManager = await newToken(db, 'manager', { regionCode: '370000' });

  for (const [index, size] of WAVES.entries()) {
    if (index > 0) await harness.env.sleep(DAY);
    world.waves.push(await Promise.all(Array.from({ length: size }, () => accept(tokens.guiyangStation, guiyang.home))));
  }
  world.jinan = await Promise.all(Array.from({ length: 3 }, () => accept(tokens.jinanStation, jinan.home)));
  // Two that must not turn up: one withdrawn, one whose deadline the home region extended by 30 days.
  world.withdrawn = (await accept(tokens.guiyangStation, guiyang.home)).applicationId;
  expect((await call(harness.api, 'POST', `/v1/applications/${world.withdrawn}/withdraw`, { token: tokens.guiyangStation, body: { reason: 'moved back home' } })).status).toBe(200);
  world.extended = (await accept(tokens.guiyangStation, guiyang.home)).applicationId;
  expect((await call(harness.api, 'POST', `/v1/applications/${world.extended}/extend`, { token: tokens.guangxiReviewer, body: { days: 30, reason: 'floods on the roads' } })).status).toBe(200);

  await harness.env.sleep('61 days');
  const overdue = [...world.waves.flat(), ...world.jinan].map((application) => application.applicationId);
  await eventually(async () => (await db('applications').whereIn('id', overdue).where('overdue', true)).length === overdue.length, 60_000, 'every application to turn overdue');
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

interface Item {
  applicationId: string;
  deadlineAt: string;
  overdue: boolean;
  homeRegionCode: string;
  acceptingStationCode: string;
}

/** Every page of a listing, following nextCursor; each page's size too. */
async function allPages(token: string, path: string): Promise<{ items: Item[]; pageSizes: number[] }> {
  const items: Item[] = [];
  const pageSizes: number[] = [];
  let next: string | null = null;
  do {
    const page = await call(harness.api, 'GET', next ? `${path}${path.includes('?') ? '&' : '?'}cursor=${next}` : path, { token });
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    pageSizes.push(page.body.items.length);
    next = page.body.nextCursor;
  } while (next && pageSizes.length < 100);
  return { items, pageSizes };
}

const ids = (applications: Array<{ applicationId: string }>) => applications.map((application) => application.applicationId);
const byDeadlineThenId = (a: Item, b: Item) => Date.parse(a.deadlineAt) - Date.parse(b.deadlineAt) || (a.applicationId < b.applicationId ? -1 : a.applicationId > b.applicationId ? 1 : 0);

describe('GET /v1/overdue once 60 days have passed', () => {
  test("when a regional manager pages through the listing, then it holds the region's overdue applications, most overdue first, each once", async () => {
    const { items, pageSizes } = await allPages(tokens.guizhouManager, '/v1/overdue');
    expect(pageSizes.length).toBeGreaterThanOrEqual(2);
    expect(pageSizes[0]).toBe(50);
    expect(new Set(ids(items)).size).toBe(items.length);
    expect([...items].sort(byDeadlineThenId)).toEqual(items);
    for (const item of items) {
      expect(item.overdue).toBe(true);
      expect(item.homeRegionCode.startsWith('52') || item.acceptingStationCode.startsWith('S52')).toBe(true);
    }

    const listed = ids(items);
    const mine = world.waves.map((wave) => ids(wave));
    expect(listed).toEqual(expect.arrayContaining(mine.flat()));
    // Accepted a day apart: every first-day application is more overdue than every second-day one, and so on.
    const lastOf = (wave: string[]) => Math.max(...wave.map((id) => listed.indexOf(id)));
    const firstOf = (wave: string[]) => Math.min(...wave.map((id) => listed.indexOf(id)));
    expect(lastOf(mine[0])).toBeLessThan(firstOf(mine[1]));
    expect(lastOf(mine[1])).toBeLessThan(firstOf(mine[2]));
    expect(listed).not.toContain(world.withdrawn);
    expect(listed).not.toContain(world.extended);
    expect(listed.some((id) => ids(world.jinan).includes(id))).toBe(false);
  });

  test('when a national manager filters by the accepting station, then exactly that station’s overdue applications come back, across pages', async () => {
    const { items, pageSizes } = await allPages(tokens.nationalManager, `/v1/overdue?stationCode=${guiyang.station}`);
    expect(pageSizes).toEqual([50, WAVES.reduce((a, b) => a + b) - 50]);
    expect(ids(items).sort()).toEqual(ids(world.waves.flat()).sort());
    expect(items.map((item) => item.deadlineAt)).toEqual(world.waves.flat().map((application) => application.deadlineAt).sort());
  });

  test('when managers of two regions list overdue applications, then each sees only their own region', async () => {
    const shandong = ids((await allPages(tokens.shandongManager, '/v1/overdue')).items);
    expect(shandong).toEqual(expect.arrayContaining(ids(world.jinan)));
    expect(shandong.some((id) => ids(world.waves.flat()).includes(id))).toBe(false);

    const guizhou = ids((await allPages(tokens.guizhouManager, '/v1/overdue')).items);
    expect(guizhou.some((id) => ids(world.jinan).includes(id))).toBe(false);

    const forbidden = await call(harness.api, 'GET', '/v1/overdue?regionCode=370000', { token: tokens.guizhouManager });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden_jurisdiction');
    const otherStation = await call(harness.api, 'GET', `/v1/overdue?stationCode=${guiyang.station}`, { token: tokens.shandongManager });
    expect(otherStation.status).toBe(403);
    expect(otherStation.body.code).toBe('forbidden_jurisdiction');
    expect((await call(harness.api, 'GET', '/v1/overdue?stationCode=S99999999', { token: tokens.nationalManager })).status).toBe(404);
    const backwards = await call(harness.api, 'GET', '/v1/stats?from=2027-01-01&to=2020-01-01', { token: tokens.nationalManager });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);

    const national = ids((await allPages(tokens.nationalManager, '/v1/overdue?regionCode=370000')).items);
    expect(national).toEqual(expect.arrayContaining(ids(world.jinan)));
    expect(national.some((id) => ids(world.waves.flat()).includes(id))).toBe(false);
  });

  test('when an application is read after its deadline, then it shows overdue and the extended one does not', async () => {
    const [late] = world.waves[0];
    const read = await call(harness.api, 'GET', `/v1/applications/${late.applicationId}`, { token: tokens.guiyangStation });
    expect(read.body).toMatchObject({ stage: 'HOME_REVIEW', overdue: true, deadlineAt: late.deadlineAt });
    const extended = await call(harness.api, 'GET', `/v1/applications/${world.extended}`, { token: tokens.guiyangStation });
    expect(extended.body).toMatchObject({ overdue: false, extensionDays: 30 });
  });
});
