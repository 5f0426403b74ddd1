/**
 * `npm run bench -- card-status-feed`: the card-status feed (`GET /v1/card-status-events`) under loss
 * reports offered at a fixed rate (1,000/s by default, `FEED_BENCH_RATE`), over real HTTP against the
 * whole API and a real (embedded) PostgreSQL. Writes bench/results/card-status-feed.json.
 *
 * The API runs in a child process of its own (as in production: the load generator and the followers
 * must not share its event loop); the load generator and the followers run here. Three phases, each
 * `PHASE_MS` long, on fresh cards:
 *   - baseline: loss reports alone, no follower (nothing asks the feed, so nothing is published);
 *   - 1 follower, then 3 followers, each asking from its last `nextAfter` with `wait=20`.
 * The generator is open-loop: every 5 ms it sends the reports the schedule owes, up to `MAX_IN_FLIGHT`
 * at once; a report the schedule owed while that many were in flight is counted as shed, not sent
 * later, so the offered and achieved rates are both told. Lag is from the loss report's 201 arriving
 * here to a follower receiving the event (same clock, same process); delivered events/s is what one
 * follower received per second of the phase. Figures are ratios against the baseline of the same run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../api/app';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { createDb, type Db } from '../db/knex';
import { migrateToLatest } from '../db/migrate';
import { seedReferenceData, stationCodeFor } from '../db/seed/referenceData';
import { createUser } from '../db/users';
import { CARD_VALID_FROM, HOME_REGION, seedPeople, type Person } from './citizens';
import { writeResults } from './benchmark';

const RATE = Number(process.env.FEED_BENCH_RATE ?? 1_000);
const PHASE_MS = 3_500;
const SUSTAINED_SHARE = 0.6;
const FOLLOWER_WAIT_S = 2;
const IDLE_MS = 3_000;
const WARMUP_MS = 1_500;
const TICK_MS = 5;
const MAX_IN_FLIGHT = 64;
const FOLLOWER_LIMIT = 1_000;

// Pending requests queue here, not in the socket pool: the generator caps what is in flight itself.
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT + 8 });

interface Reply {
  status: number;
  body: string;
}

function request(base: string, method: string, pathname: string, token: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(`${base}${pathname}`, {
      method,
      agent,
      headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

interface Load {
  offered: number;
  sent: number;
  shed: number;
  ok: number;
  failed: number;
  latencies: number[];
  /** When each report's 201 arrived, by citizen number. */
  reportedAt: Map<string, number>;
  elapsedMs: number;
}

/** Offers loss reports at `rate`/s for `ms`, each person once; waits for those in flight. */
async function offerLoad(base: string, token: string, people: Person[], rate: number, ms: number): Promise<Load> {
  const load: Load = { offered: 0, sent: 0, shed: 0, ok: 0, failed: 0, latencies: [], reportedAt: new Map(), elapsedMs: 0 };
  let inFlight = 0;
  let next = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const send = (person: Person) => {
    inFlight++;
    load.sent++;
    const sentAt = performance.now();
    const done = request(base, 'POST', '/v1/loss-reports', token, { idNumber: person.idNumber, name: person.name, cardValidFrom: CARD_VALID_FROM, circumstance: 'lost' }).then(
      (reply) => {
        const at = performance.now();
        if (reply.status === 201) {
          load.ok++;
          load.latencies.push(at - sentAt);
          load.reportedAt.set(person.idNumber, at);
        } else load.failed++;
      },
      () => void load.failed++,
    );
    const tracked = done.finally(() => {
      inFlight--;
      pending.delete(tracked);
    });
    pending.add(tracked);
  };
  while (performance.now() - started < ms) {
    const owed = Math.floor(((performance.now() - started) / 1000) * rate) - load.offered;
    for (let i = 0; i < owed; i++) {
      load.offered++;
      if (inFlight >= MAX_IN_FLIGHT || next >= people.length) load.shed++;
      else send(people[next++]);
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(pending);
  load.elapsedMs = performance.now() - started;
  return load;
}

interface Follower {
  /** When each event reached this follower, by citizen number (each person is reported once). */
  receivedAt: Map<string, number>;
  pages: number;
  duplicates: number;
  outOfOrder: number;
  stop(): Promise<void>;
}

/** A follower that always asks from its last `nextAfter`, as `npm run feed:follow` does. */
function follow(base: string, token: string, from: number): Follower {
  const follower: Follower = { receivedAt: new Map(), pages: 0, duplicates: 0, outOfOrder: 0, stop: async () => undefined };
  let stopping = false;
  const loop = (async () => {
    let after = from;
    while (!stopping) {
      const reply = await request(base, 'GET', `/v1/card-status-events?after=${after}&limit=${FOLLOWER_LIMIT}&wait=${stopping ? 0 : FOLLOWER_WAIT_S}`, token);
      const at = performance.now();
      if (reply.status !== 200) throw new Error(`feed answered ${reply.status}: ${reply.body}`);
      const page = JSON.parse(reply.body) as { events: Array<{ seq: number; idNumber: string }>; nextAfter: number };
      follower.pages++;
      for (const event of page.events) {
        if (event.seq <= after) follower.outOfOrder++;
        after = event.seq;
        if (follower.receivedAt.has(event.idNumber)) follower.duplicates++;
        else follower.receivedAt.set(event.idNumber, at);
      }
      after = page.nextAfter;
    }
  })();
  follower.stop = async () => {
    stopping = true;
    await loop;
  };
  return follower;
}

/** Where the feed ends now: a follower that wants only what comes next starts there. */
async function feedEnd(base: string, token: string): Promise<number> {
  let after = 0;
  for (;;) {
    const page = JSON.parse((await request(base, 'GET', `/v1/card-status-events?after=${after}&limit=1000`, token)).body) as { events: unknown[]; nextAfter: number };
    if (page.events.length === 0) return after;
    after = page.nextAfter;
  }
}

const quantile = (values: number[], q: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * What followers cost while nothing happens: transactions committed per second in the database over
 * `ms`, with `followers` waiting on the feed (the API's own lease renewals included), read from
 * `pg_stat_database` (backends flush their counts about once a second: a long window evens that out).
 */
async function idleCost(db: Db, base: string, token: string, followers: number, ms: number): Promise<number> {
  const from = await feedEnd(base, token);
  const running = Array.from({ length: followers }, () => follow(base, token, from));
  const committed = async () => Number((await db.raw('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()')).rows[0].xactCommit);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // caught up with the feed, settled
  const before = await committed();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await committed();
  const elapsed = performance.now() - started;
  await Promise.all(running.map((follower) => follower.stop()));
  // The two reads of the counter are transactions of their own; a flush may lag by up to a second.
  return round1((after - before - 1) / (elapsed / 1000));
}

/** The API in a process of its own: `fork(this file, ['serve'])`, DATABASE_URL in the environment; it sends its port. */
async function serve(): Promise<void> {
  const url = process.env.DATABASE_URL!;
  const db = createDb(url);
  const api = createApp({ db, config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }), logger: createLogger('silent') });
  const server = api.app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  process.on('message', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await api.close();
    await db.destroy();
    process.exit(0);
  });
}

async function startApi(databaseUrl: string): Promise<{ base: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = fork(__filename, ['serve'], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

interface PhaseResult {
  configuration: string;
  /** `offered`: at the asked rate; `sustained`: below what the baseline achieved. */
  load: string;
  followers: number;
  offeredPerSecond: number;
  achievedPerSecond: number;
  shed: number;
  failed: number;
  lossReport201: { p50Ms: number; p99Ms: number };
  delivered?: { eventsPerSecond: number; missing: number; duplicates: number; outOfOrder: number; lagP50Ms: number; lagP99Ms: number; lagMaxMs: number; pagesPerSecond: number };
}

async function phase(base: string, tokens: { station: string; platform: string }, people: Person[], followers: number, rate: number, ms: number, loadKind: string): Promise<PhaseResult> {
  const from = await feedEnd(base, tokens.platform);
  const running = Array.from({ length: followers }, () => follow(base, tokens.platform, from));
  const load = await offerLoad(base, tokens.station, people, rate, ms);
  // Let the followers catch up with the last reports (bounded: a stuck feed shows as missing events).
  for (const until = performance.now() + 10_000; performance.now() < until; ) {
    if (running.every((follower) => [...load.reportedAt.keys()].every((id) => follower.receivedAt.has(id)))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(running.map((follower) => follower.stop()));
  const result: PhaseResult = {
    configuration: `${followers === 0 ? 'baseline (no follower)' : `${followers} follower${followers > 1 ? 's' : ''}`} at ${rate}/s ${loadKind}`,
    load: loadKind,
    followers,
    offeredPerSecond: round1(load.offered / (ms / 1000)),
    achievedPerSecond: round1(load.ok / (load.elapsedMs / 1000)),
    shed: load.shed,
    failed: load.failed,
    lossReport201: { p50Ms: round1(quantile(load.latencies, 0.5)), p99Ms: round1(quantile(load.latencies, 0.99)) },
  };
  if (followers > 0) {
    const lags: number[] = [];
    let missing = 0;
    let received = 0;
    for (const follower of running) {
      for (const [id, reportedAt] of load.reportedAt) {
        const at = follower.receivedAt.get(id);
        if (at === undefined) missing++;
        else lags.push(Math.max(0, at - reportedAt));
      }
      received += [...load.reportedAt.keys()].filter((id) => follower.receivedAt.has(id)).length;
    }
    result.delivered = {
      eventsPerSecond: round1(received / followers / (load.elapsedMs / 1000)),
      missing,
      duplicates: running.reduce((sum, follower) => sum + follower.duplicates, 0),
      outOfOrder: running.reduce((sum, follower) => sum + follower.outOfOrder, 0),
      lagP50Ms: round1(quantile(lags, 0.5)),
      lagP99Ms: round1(quantile(lags, 0.99)),
      lagMaxMs: round1(Math.max(...lags)),
      pagesPerSecond: round1(running.reduce((sum, follower) => sum + follower.pages, 0) / followers / (load.elapsedMs / 1000)),
    };
  }
  return result;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-feed-'));
  chmodSync(dir, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), persistent: false });
  const db = createDb(cluster.url);
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  try {
    await migrateToLatest(db);
    await seedReferenceData(db);
    const perPhase = Math.ceil((RATE * PHASE_MS) / 1000) + 100;
    const seeded = performance.now();
    // Enough fresh cards for the offered rate in each of the three phases at it; the sustained phases' are added once their rate is known.
    const people = await seedPeople(db, Math.ceil((RATE * WARMUP_MS) / 1000) + 3 * perPhase);
    console.log(`seeded ${people.length} citizens in ${Math.round(performance.now() - seeded)} ms`);
    const { token: station } = await createUser(db, { id: 'bench-feed-station', name: 'bench station', role: 'station', stationCode: stationCodeFor(HOME_REGION), provinceCode: null, unitId: null });
    const { token: platform } = await createUser(db, { id: 'bench-feed-platform', name: 'bench platform', role: 'platform', stationCode: null, provinceCode: null, unitId: null });
    await db.raw('ANALYZE');
    api = await startApi(cluster.url);
    const tokens = { station, platform };
    let next = 0;
    const take = (count: number) => people.slice(next, (next += count));
    // Warm-up: connections, JIT, plans; not reported.
    await offerLoad(api.base, station, take(Math.ceil((RATE * WARMUP_MS) / 1000)), RATE, WARMUP_MS);
    const phases: PhaseResult[] = [];
    const runPhase = async (followers: number, rate: number, load: string) => {
      const result = await phase(api!.base, tokens, take(Math.ceil((rate * PHASE_MS) / 1000) + 100), followers, rate, PHASE_MS, load);
      console.log(`${result.configuration}: offered ${result.offeredPerSecond}/s, achieved ${result.achievedPerSecond}/s, 201 p99 ${result.lossReport201.p99Ms} ms${result.delivered ? `, delivered ${result.delivered.eventsPerSecond}/s per follower, lag p50 ${result.delivered.lagP50Ms} ms p99 ${result.delivered.lagP99Ms} ms, missing ${result.delivered.missing}` : ''}`);
      phases.push(result);
      return result;
    };
    // At the offered rate: the baseline tells what the machine sustains without the feed.
    const saturated = await runPhase(0, RATE, 'offered');
    for (const followers of [1, 3]) await runPhase(followers, RATE, 'offered');
    // Below saturation (60 % of the baseline's achieved rate), where queueing does not hide the feed's own lag.
    const sustained = Math.max(10, Math.round(saturated.achievedPerSecond * SUSTAINED_SHARE));
    people.push(...(await seedPeople(db, 3 * (Math.ceil((sustained * PHASE_MS) / 1000) + 100), people.length)));
    const below = await runPhase(0, sustained, 'sustained');
    for (const followers of [1, 3]) await runPhase(followers, sustained, 'sustained');
    // Nothing happening: what waiting followers cost the database. Idle backends report their counts
    // only after 10 s idle, so the load phases' are let in first.
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    const idle = { noFollower: await idleCost(db, api.base, platform, 0, IDLE_MS), threeFollowers: await idleCost(db, api.base, platform, 3, IDLE_MS) };
    console.log(`idle: ${idle.noFollower} transactions/s with no follower, ${idle.threeFollowers} with 3 followers waiting`);
    const baselineOf = (result: PhaseResult) => (result.load === 'offered' ? saturated : below);
    const results = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.split(' ').slice(0, 2).join(' '), node: process.version, loadAverage1m: round2(loadavg()[0]) },
      settings: {
        offeredRatePerSecond: RATE,
        sustainedRatePerSecond: sustained,
        phaseMs: PHASE_MS,
        maxInFlight: MAX_IN_FLIGHT,
        followerPageLimit: FOLLOWER_LIMIT,
        followerWaitSeconds: FOLLOWER_WAIT_S,
        note: `API in one child process (pool of 10) on one embedded PostgreSQL; load generator and followers in the parent; lag from the 201 arriving to the follower receiving the event, on one clock. "offered" phases ask ${RATE}/s; "sustained" phases ask ${SUSTAINED_SHARE * 100} % of what the baseline achieved. Ratios are to the baseline (no follower) at the same offered rate.`,
      },
      idleTransactionsPerSecond: { ...idle, note: `committed in the database per second over ${IDLE_MS / 1000} s with nothing reported: the API alone (lease renewals), then with 3 followers long-polling` },
      phases: phases.map((result) => ({
        ...result,
        achievedRatioToBaseline: round2(result.achievedPerSecond / baselineOf(result).achievedPerSecond),
        lossReport201P99RatioToBaseline: round2(result.lossReport201.p99Ms / baselineOf(result).lossReport201.p99Ms),
        ...(result.delivered ? { deliveredRatioToBaselineRate: round2(result.delivered.eventsPerSecond / baselineOf(result).achievedPerSecond), lagP99RatioToBaseline201P99: round2(result.delivered.lagP99Ms / baselineOf(result).lossReport201.p99Ms) } : {}),
      })),
    };
    writeResults('card-status-feed', results);
  } finally {
    await api?.stop();
    agent.destroy();
    await db.destroy();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === 'serve') void serve();
