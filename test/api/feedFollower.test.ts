import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { call } from '../support/api';
import { api, db } from '../support/apiPerFile';
import { eventually } from '../support/applicationsApi';
import { exitOf, killed } from '../support/bounds';
import { feedEnd } from '../support/cardStatusFeed';
import { newCitizen, newToken, type TestCitizen } from '../support/fixtures';

/** The second follower starts (tsx), catches up from the file's last line and stops after one empty wait of 1 s. */
const IDLE_EXIT_BOUND_MS = 20_000;

let platform: string;
beforeAll(async () => {
  platform = await newToken(db, 'platform');
});

// The database holds the other tests' events: a new file starts at the feed's end (--after).
const follower = (file: string, after: number, untilIdle = false): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../scripts/feedFollow.ts'), '--to', file, '--after', String(after), '--api', api.url, '--token', platform, '--limit', '3', '--wait', '1', ...(untilIdle ? ['--until-idle'] : [])], { stdio: ['ignore', 'ignore', 'ignore'] });
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
const flip = (citizen: TestCitizen, status: string) => db('cards').where({ idNumber: citizen.idNumber, validFrom: citizen.cards[0].validFrom }).update({ status });

describe('npm run feed:follow', () => {
  test('when the follower is killed, a half line is left, and it starts again, then the file holds every event once, in order', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'feed-')), 'events.ndjson');
    const before = await feedEnd(api, db, platform); // before our citizens' cards are issued: their issue is among the events
    const citizens = await Promise.all(Array.from({ length: 4 }, () => newCitizen(db)));
    const first = follower(file, before);
    let second: ChildProcess | undefined;
    try {
    for (const citizen of citizens) await flip(citizen, 'REPORTED_LOST');
    await eventually(async () => {
      try {
        return lines(file).filter((line) => citizens.some((c) => c.idNumber === line.idNumber)).length === 8;
      } catch {
        return false;
      }
    }, 20_000, 'the first events');
    await killed(first, 'the first follower');
    // A crash in the middle of a write.
    appendFileSync(file, '{"seq":99999999,"idNum');
    for (const citizen of citizens) await flip(citizen, 'ACTIVE');
    second = follower(file, 0, true);
    await exitOf(second, 'the second follower did not stop once idle', IDLE_EXIT_BOUND_MS);
    } finally {
      for (const child of [first, second]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    const written = lines(file);
    const seqs = written.map((line) => line.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const ours = written.filter((line) => citizens.some((c) => c.idNumber === line.idNumber));
    expect(ours.map((line) => line.status)).toEqual([...Array(4).fill('ACTIVE'), ...Array(4).fill('REPORTED_LOST'), ...Array(4).fill('ACTIVE')]);
    expect(ours.map((line) => line.reason)).toEqual([...Array(4).fill('ISSUED'), ...Array(4).fill('LOSS_REPORTED'), ...Array(4).fill('LOSS_REPORT_WITHDRAWN')]);
    // Everything the feed holds after the file's start and up to the follower's last position is in the file.
    // Other files share the database, so the feed may hold more than one page: read it page by page.
    const feed: number[] = [];
    for (let after = before; feed.length === 0 || feed.at(-1)! < seqs.at(-1)!; ) {
      const page = await call(api, 'GET', `/v1/card-status-events?after=${after}&limit=1000`, { token: platform });
      if (page.body.events.length === 0) break;
      feed.push(...page.body.events.map((event: { seq: number }) => event.seq));
      after = page.body.nextAfter;
    }
    expect(seqs[0]).toBeGreaterThan(before);
    expect(seqs).toEqual(feed.filter((seq) => seq <= seqs.at(-1)!));
  }, 90_000); // the feed's end (30 s), the first events (20 s), the kill (15 s) and the second follower's stop (20 s), each failing on its own first
});
