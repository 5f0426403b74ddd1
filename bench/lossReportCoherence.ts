/**
 * `npm run bench -- loss-report-coherence`: what the loss report's 201 costs now that it waits for
 * every API instance to acknowledge the card (api/verifications/cacheCoherence.ts), with 1, 2 and 4
 * instances, against a baseline measured in the same run: the same route, the same database, with
 * no wait (an invalidator that only drops the card locally). Writes bench/results/loss-report-coherence.json.
 *
 * All instances run in this process (each with its own pool, listening connection and lease), as
 * several instances on one small machine would share its cores. Rounds alternate the order of the
 * configurations; each figure is the median of per-round medians, and the ratio is to the baseline's.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { createApp } from '../api/app';
import { authenticate, UserCache } from '../api/auth';
import { lossReportRoutes } from '../api/lossReports/routes';
import { notFoundRoute, problemResponder } from '../api/problems';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { createDb, type Db } from '../db/knex';
import { migrateToLatest } from '../db/migrate';
import { seedReferenceData, stationCodeFor } from '../db/seed/referenceData';
import { createUser } from '../db/users';
import { CARD_VALID_FROM, HOME_REGION, seedPeople, type Person } from './citizens';
import { writeResults } from './benchmark';

const ROUNDS = 5;
const REPORTS_PER_ROUND = 40;
const INSTANCE_COUNTS = [1, 2, 4];

interface Running {
  url: string;
  close(): Promise<void>;
}

async function listen(app: express.Express): Promise<Server> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const closing = (server: Server) => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
});

/** The loss report route alone, dropping the card on this instance only: what the 201 cost before. */
async function startBaseline(url: string): Promise<Running> {
  const db = createDb(url);
  const config = loadConfig({ DATABASE_URL: url });
  const logger = createLogger('silent');
  const app = express();
  const v1 = express.Router();
  v1.use(authenticate(db, new UserCache()));
  v1.use(express.json());
  v1.use(lossReportRoutes({ db, config, logger }, { invalidate: () => undefined }));
  app.use('/v1', v1);
  app.use(notFoundRoute);
  app.use(problemResponder(logger));
  const server = await listen(app);
  return { url: urlOf(server), close: () => closing(server).then(() => db.destroy()) };
}

async function startInstance(url: string): Promise<Running> {
  const db = createDb(url);
  const api = createApp({ db, config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }), logger: createLogger('silent') });
  const server = await listen(api.app);
  return { url: urlOf(server), close: () => closing(server).then(api.close).then(() => db.destroy()) };
}

async function untilRegistered(db: Db, count: number): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 20_000; ) {
    const [{ n }] = await db('apiInstances').count({ n: '*' });
    if (Number(n) === count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${count} instances never registered`);
}

async function reportAll(url: string, token: string, people: Person[]): Promise<number[]> {
  const times: number[] = [];
  for (const person of people) {
    const started = performance.now();
    const response = await fetch(`${url}/v1/loss-reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ idNumber: person.idNumber, name: person.name, cardValidFrom: CARD_VALID_FROM, circumstance: 'lost' }),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`loss report answered ${response.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const round2 = (value: number) => Math.round(value * 100) / 100;

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-coherence-'));
  chmodSync(dir, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), persistent: false });
  const db = createDb(cluster.url);
  const labels = ['baseline (no wait)', ...INSTANCE_COUNTS.map((n) => `${n} instance${n > 1 ? 's' : ''}`)];
  const perRound: Record<string, number[]> = Object.fromEntries(labels.map((label) => [label, []]));
  const all: Record<string, number[]> = Object.fromEntries(labels.map((label) => [label, []]));
  try {
    await migrateToLatest(db);
    await seedReferenceData(db);
    const people = await seedPeople(db, ROUNDS * labels.length * REPORTS_PER_ROUND);
    const { token } = await createUser(db, { id: 'bench-station', name: 'bench station', role: 'station', stationCode: stationCodeFor(HOME_REGION), provinceCode: null, unitId: null });
    let next = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? labels : [...labels].reverse();
      for (const label of order) {
        const count = label.startsWith('baseline') ? 0 : Number(label.split(' ')[0]);
        const running = count === 0 ? [await startBaseline(cluster.url)] : await Promise.all(Array.from({ length: count }, () => startInstance(cluster.url)));
        try {
          await untilRegistered(db, count);
          await new Promise((resolve) => setTimeout(resolve, 300)); // leases granted, connections warm
          const times = await reportAll(running[0].url, token, people.slice(next, next + REPORTS_PER_ROUND));
          next += REPORTS_PER_ROUND;
          perRound[label].push(quantile(times, 0.5));
          all[label].push(...times);
        } finally {
          for (const instance of running) await instance.close();
        }
        console.log(`round ${round + 1} ${label}: median ${quantile(all[label].slice(-REPORTS_PER_ROUND), 0.5).toFixed(2)} ms`);
      }
    }
    const baseline = quantile(perRound[labels[0]], 0.5);
    const results = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.split(' ').slice(0, 2).join(' '), node: process.version },
      settings: { rounds: ROUNDS, reportsPerRound: REPORTS_PER_ROUND, leaseMs: loadConfig({}).VERIFICATION_CACHE_LEASE_MS, note: 'instances in one process on one embedded PostgreSQL; reports sequential, on the first instance' },
      lossReport201: labels.map((label) => ({
        configuration: label,
        medianMs: round2(quantile(perRound[label], 0.5)),
        p99Ms: round2(quantile(all[label], 0.99)),
        medianRatioToBaseline: round2(quantile(perRound[label], 0.5) / baseline),
        p99RatioToBaseline: round2(quantile(all[label], 0.99) / quantile(all[labels[0]], 0.99)),
      })),
    };
    writeResults('loss-report-coherence', results);
    console.table(results.lossReport201);
  } finally {
    await db.destroy();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
