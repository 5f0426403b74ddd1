/**
 * The demo on day one: `npm start` on a fresh data directory (embedded PostgreSQL and engine) imports
 * the demo's cases in flight through the go-live import, so each role's worklist has work at every
 * open stage and the managers see overdue cases at once — found here through the API only.
 */
import type { ChildProcess } from 'node:child_process';
import { call, type RunningApi } from '../support/api';
import { freePort } from '../support/freePort';
import { demoTokens, freshDataDir, killEverything, npmStart } from '../support/npmStart';

let child: ChildProcess | undefined;
let dataDir = '';

afterAll(async () => {
  if (child) await killEverything(child, dataDir);
});

test('when npm start seeds a fresh data directory, then the worklists hold cases at every open stage and the managers’ overdue list is not empty on day one', async () => {
  dataDir = freshDataDir('demo-day-one-');
  const port = await freePort();
  const api = { url: `http://127.0.0.1:${port}` } as RunningApi;
  child = await npmStart(dataDir, port);
  const tokens = demoTokens(dataDir);
  const all = (role: string) => tokens.filter((t) => t.role === role);
  const items = async (path: string, token: string) => {
    const answer = await call(api, 'GET', path, { token });
    expect(answer.status).toBe(200);
    return answer.body.items as Array<{ applicationId: string; stage: string; overdue: boolean; deadlineAt: string; acceptedAt: string }>;
  };
  const gather = async (role: string, path: string) => (await Promise.all(all(role).map((t) => items(path, t.token)))).flat();

  // Every open stage, each in the worklist of the role that acts next (an ACCEPTED case is already with the reviewer).
  const review = await gather('reviewer', '/v1/worklists/review');
  const printing = await gather('production', '/v1/worklists/printing');
  const arrivals = await gather('station', '/v1/worklists/arrivals');
  const pickups = await gather('station', '/v1/worklists/pickups');
  const temporaryCards = await gather('station', '/v1/worklists/temporary-cards');
  expect([review.length, printing.length, arrivals.length, pickups.length, temporaryCards.length]).toEqual([4, 3, 2, 2, 2]);
  expect(new Set([...review, ...printing, ...arrivals, ...pickups].map((item) => item.stage))).toEqual(new Set(['HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP']));
  // The original acceptance times: a case accepted 70 days ago is in the reviewer's list (a day's slack for the clock).
  const OLDEST_CASE_MIN_AGE_MS = 69 * 86_400_000;
  const oldest = Math.min(...review.map((item) => Date.parse(item.acceptedAt)));
  expect(Date.now() - oldest).toBeGreaterThan(OLDEST_CASE_MIN_AGE_MS);

  // The national manager's overdue list on day one: the two cases past their deadline, overdue at once.
  const national = tokens.find((t) => t.role === 'manager' && !t.regionCode)!.token;
  const overdue = await items('/v1/overdue', national);
  expect(overdue).toHaveLength(2);
  for (const item of overdue) expect({ overdue: item.overdue, past: Date.parse(item.deadlineAt) < Date.now() }).toEqual({ overdue: true, past: true });
  // Guangdong's manager sees Guangdong's station's one; the due list adds the cases near their deadline.
  const guangdong = tokens.find((t) => t.role === 'manager' && t.regionCode === '440000')!.token;
  expect(await items('/v1/overdue', guangdong)).toHaveLength(1);
  expect(await items('/v1/worklists/due', national)).toHaveLength(4);
}, 240_000);
