import { call } from '../support/api';
import { api, db } from '../support/apiPerFile';
import { expectProblem } from '../support/applicationsApi';
import { feedEnd as feedEndOf } from '../support/cardStatusFeed';
import { newCitizen, newToken, type TestCitizen } from '../support/fixtures';

let platform: string;
beforeAll(async () => {
  platform = await newToken(db, 'platform');
});

interface FeedEvent {
  seq: number;
  idNumber: string;
  cardValidFrom: string;
  status: string;
  reason?: string;
  at: string;
}

const feed = (after: number, options: { limit?: number; wait?: number; token?: string } = {}) =>
  call(api, 'GET', `/v1/card-status-events?after=${after}&limit=${options.limit ?? 100}&wait=${options.wait ?? 0}`, { token: options.token ?? platform });

/** A follower that always asks from its last `nextAfter`, keeping what concerns `cards`, until `done` and the feed is drained. */
async function follow(from: number, done: () => boolean, keep: (event: FeedEvent) => boolean): Promise<FeedEvent[]> {
  const seen: FeedEvent[] = [];
  let after = from;
  let emptyAfterDone = 0;
  while (emptyAfterDone < 3) {
    const finished = done();
    const page = await feed(after, { limit: 7, wait: 1 });
    expect(page.status).toBe(200);
    const seqs = page.body.events.map((event: FeedEvent) => event.seq);
    for (const seq of seqs) expect(seq).toBeGreaterThan(after);
    seen.push(...page.body.events.filter(keep));
    after = page.body.nextAfter;
    if (finished && page.body.events.length === 0) emptyAfterDone++;
  }
  return seen;
}

const feedEnd = () => feedEndOf(api, db, platform);
const cardOf = (citizen: TestCitizen) => ({ idNumber: citizen.idNumber, validFrom: citizen.cards[0].validFrom });

describe('GET /v1/card-status-events', () => {
  test('when a transaction that took an earlier sequence value commits after a later one, then the follower gets both, once each, in increasing seq', async () => {
    const [early, late] = [await newCitizen(db), await newCitizen(db)];
    const start = await feedEnd();
    const slow = await db.transaction();
    try {
      await slow('cards').where(cardOf(early)).update({ status: 'REPORTED_LOST' });
      await db('cards').where(cardOf(late)).update({ status: 'REPORTED_LOST' });
      // The later event is committed; the earlier is not: nothing behind the open transaction is handed out.
      const meanwhile = await feed(start);
      expect(meanwhile.body.events.filter((event: FeedEvent) => [early.idNumber, late.idNumber].includes(event.idNumber))).toEqual([]);
      await slow.commit();
    } catch (error) {
      await slow.rollback();
      throw error;
    }
    const after = await feed(start, { wait: 5 });
    const ours = after.body.events.filter((event: FeedEvent) => [early.idNumber, late.idNumber].includes(event.idNumber));
    expect(ours.map((event: FeedEvent) => event.idNumber).sort()).toEqual([early.idNumber, late.idNumber].sort());
    expect(ours[0]).toEqual({ seq: expect.any(Number), idNumber: expect.any(String), cardValidFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), status: 'REPORTED_LOST', reason: 'LOSS_REPORTED', at: expect.any(String) });
    expect(JSON.stringify(after.body)).not.toContain(early.name);
  });

  test('when loss reports and withdrawals commit concurrently and out of sequence order, then a follower from its last nextAfter gets every change once and in order', async () => {
    const citizens = await Promise.all(Array.from({ length: 12 }, () => newCitizen(db)));
    const ours = new Set(citizens.map((citizen) => citizen.idNumber));
    const start = await feedEnd();
    let writing = true;
    const following = follow(start, () => !writing, (event) => ours.has(event.idNumber));
    // Each writer flips its card lost ⇄ active ten times, holding each transaction open a random while after its change.
    const committed = new Map<string, string[]>();
    await Promise.all(
      citizens.map(async (citizen) => {
        const statuses: string[] = [];
        for (let n = 0; n < 10; n++) {
          const status = n % 2 === 0 ? 'REPORTED_LOST' : 'ACTIVE';
          await db.transaction(async (trx) => {
            await trx('cards').where(cardOf(citizen)).update({ status });
            await trx.raw('SELECT pg_sleep(?)', [Math.random() * 0.05]);
          });
          statuses.push(status);
        }
        committed.set(citizen.idNumber, statuses);
      }),
    );
    writing = false;
    const seen = await following;

    expect(seen).toHaveLength(citizens.length * 10);
    const seqs = seen.map((event) => event.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    for (const citizen of citizens) {
      expect(seen.filter((event) => event.idNumber === citizen.idNumber).map((event) => event.status)).toEqual(committed.get(citizen.idNumber));
    }
    expect(seen.filter((event) => event.status === 'ACTIVE').every((event) => event.reason === 'LOSS_REPORT_WITHDRAWN')).toBe(true);
  }, 60_000);

  test('when nothing is new, then it waits up to `wait` seconds and answers the same nextAfter; an event during the wait is answered at once', async () => {
    // The feed is the whole registry's, and other test files change cards at the same time: retried
    // until a wait with nothing new, which must last the full second and keep nextAfter. An answer
    // that comes early must carry what is new (an early empty answer fails at once).
    for (let attempt = 1; ; attempt++) {
      const end = await feedEnd();
      const started = Date.now();
      const answer = await feed(end, { wait: 1 });
      const waited = Date.now() - started;
      if (answer.body.events.length > 0) {
        if (attempt < 10) continue;
        throw new Error('other files kept changing cards through 10 waits');
      }
      expect(waited).toBeGreaterThanOrEqual(900);
      expect(answer.body).toEqual({ events: [], nextAfter: end });
      break;
    }

    const citizen = await newCitizen(db);
    const waiting = feed(await feedEnd(), { wait: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const asked = Date.now();
    await db('cards').where(cardOf(citizen)).update({ status: 'REPORTED_LOST' });
    const answer = await waiting;
    expect(Date.now() - asked).toBeLessThan(3_000);
    expect(answer.body.events.some((event: FeedEvent) => event.idNumber === citizen.idNumber)).toBe(true);
  });

  test('when an event is held back by a transaction that then ends without changing any card, then a waiting follower still gets it at once (no announcement comes)', async () => {
    const citizen = await newCitizen(db);
    const start = await feedEnd();
    const slow = await db.transaction();
    let ended = 0;
    try {
      await slow.raw('SELECT pg_current_xact_id()'); // an xid older than the event's: the event waits for it
      await db('cards').where(cardOf(citizen)).update({ status: 'REPORTED_LOST' });
      setTimeout(() => void slow.commit().then(() => (ended = Date.now())), 500);
      let after = start;
      for (const until = Date.now() + 8_000; Date.now() < until; ) {
        const page = await feed(after, { wait: 10, limit: 1000 });
        if (page.body.events.some((event: FeedEvent) => event.idNumber === citizen.idNumber)) {
          expect(ended).toBeGreaterThan(0);
          expect(Date.now() - ended).toBeLessThan(3_000);
          return;
        }
        after = page.body.nextAfter;
      }
      throw new Error('the held-back event never reached the follower');
    } finally {
      if (!slow.isCompleted()) await slow.rollback();
    }
  }, 20_000);

  test('when the caller is not a platform, or the query is malformed, then 403 or 400 problem', async () => {
    expectProblem(await feed(0, { token: await newToken(db, 'station', { stationCode: 'S11010501' }) }), 403, 'forbidden_role');
    expectProblem(await call(api, 'GET', '/v1/card-status-events?after=-1', { token: platform }), 400, 'validation_failed');
    expectProblem(await call(api, 'GET', '/v1/card-status-events?limit=5000', { token: platform }), 400, 'validation_failed');
    expectProblem(await call(api, 'GET', '/v1/card-status-events?wait=61', { token: platform }), 400, 'validation_failed');
    expectProblem(await call(api, 'GET', '/v1/card-status-events'), 401, 'unauthenticated');
  });
});
