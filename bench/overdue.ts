/**
 * `npm run bench -- overdue`: the managers' first page of overdue applications among a million
 * applications, with the partial index of migration 06 and without it (the index it replaced),
 * beside a primary-key lookup of one application measured in the same run (the baseline).
 * Writes bench/results/overdue.json. PostgreSQL is a throw-away embedded cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { createDb, type Db } from '../db/knex';
import { migrateToLatest } from '../db/migrate';
import { listOverdue, overdueQuery, type Scope } from '../db/queries/applications';
import { loadPopulation } from '../db/seed/loadPopulation';
import { seedReferenceData } from '../db/seed/referenceData';
import { writeResults } from './benchmark';

const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 1_000_000);
const CITIZENS = 100_000;
const REPEATS = 300;
const PAGE = 51; // what the route asks for: a page of 50 and one more to know there is a next page

/**
 * A million applications over a hundred thousand people: each person's latest is still open (one
 * in progress per person, as the database demands), a tenth of those are overdue, and many closed
 * ones were overdue once — rows the index must not make the query wade through.
 */
async function loadApplications(db: Db): Promise<void> {
  await db.raw(`
    WITH people AS (SELECT id_number, home_region_code, row_number() OVER (ORDER BY id_number) AS n FROM citizens),
         station_list AS (SELECT array_agg(code ORDER BY code) AS codes FROM stations)
    INSERT INTO applications (id, workflow_id, run_id, id_number, kind, reason, stage, accepting_station_code, home_region_code,
                              accepted_at, deadline_at, overdue, fingerprint_captured, appearance_changed)
    SELECT gen_random_uuid(), 'bench-' || people.id_number, 'run-' || s, people.id_number, 'renewal', 'bench',
           (CASE WHEN s <= ${CITIZENS} THEN 'PRINTING' ELSE 'COMPLETED' END)::application_stage,
           station_list.codes[1 + s % array_length(station_list.codes, 1)], people.home_region_code,
           now() - (s % 700) * interval '1 day', now() - (s % 700) * interval '1 day' + interval '60 days',
           CASE WHEN s <= ${CITIZENS} THEN s % 10 = 0 ELSE s % 3 = 0 END, true, false
      FROM generate_series(1, ${APPLICATIONS}) AS s
      JOIN people ON people.n = 1 + s % ${CITIZENS}
      CROSS JOIN station_list`);
  await db.raw('ANALYZE applications');
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function timed(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 20; i++) await run(); // warm caches and plans
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: Number(percentile(times, 50).toFixed(3)), p99: Number(percentile(times, 99).toFixed(3)) };
}

export async function run(): Promise<void> {
  const parent = mkdtempSync(path.join(tmpdir(), 'bench-overdue-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), persistent: false });
  const db = createDb(cluster.url);
  try {
    await migrateToLatest(db);
    await seedReferenceData(db);
    let started = Date.now();
    await loadPopulation({ databaseUrl: cluster.url, count: CITIZENS, seed: 7, today: new Date().toISOString().slice(0, 10) });
    await loadApplications(db);
    const loadSeconds = (Date.now() - started) / 1000;
    const [{ count }] = await db('applications').count({ count: '*' });
    console.log(`  ${count} applications loaded in ${loadSeconds.toFixed(1)} s`);

    const anyId = (await db('applications').orderBy('id').offset(500_000 % Number(count)).first('id')).id as string;
    const national: Scope = {};
    const guangdong: Scope = { regionPrefix: '44' };
    const measure = async () => ({
      baselinePrimaryKeyLookupMs: await timed(() => db('applications').where('id', anyId).first()),
      nationalFirstPageMs: await timed(() => listOverdue(db, national, { limit: PAGE })),
      regionalFirstPageMs: await timed(() => listOverdue(db, guangdong, { limit: PAGE })),
    });

    started = Date.now();
    const withIndex = await measure();
    const plan = await explain(db);
    // The index migration 06 replaced, for comparison in the same run.
    await db.raw('DROP INDEX applications_overdue_open');
    await db.raw('CREATE INDEX applications_overdue ON applications (deadline_at) WHERE overdue');
    await db.raw('ANALYZE applications');
    const withoutIndex = await measure();
    const ratio = (figures: typeof withIndex, key: 'nationalFirstPageMs' | 'regionalFirstPageMs') =>
      Number((figures[key].p50 / figures.baselinePrimaryKeyLookupMs.p50).toFixed(2));

    const results = {
      benchmark: 'overdue',
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      applications: Number(count),
      openOverdue: Number((await db('applications').where('overdue', true).whereNotIn('stage', ['COMPLETED', 'REFUSED', 'WITHDRAWN']).count({ count: '*' }))[0].count),
      pageSize: PAGE,
      repeats: REPEATS,
      note: 'first page of GET /v1/overdue as run by the route (listOverdue), national and Guangdong managers; baseline: one application by primary key, same run',
      withPartialIndex: withIndex,
      withPreviousIndex: withoutIndex,
      firstPageVersusPrimaryKeyLookup: {
        withPartialIndex: { national: ratio(withIndex, 'nationalFirstPageMs'), regional: ratio(withIndex, 'regionalFirstPageMs') },
        withPreviousIndex: { national: ratio(withoutIndex, 'nationalFirstPageMs'), regional: ratio(withoutIndex, 'regionalFirstPageMs') },
      },
      nationalPlanWithPartialIndex: plan,
      measureSeconds: (Date.now() - started) / 1000,
    };
    writeResults('overdue', results);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    await db.destroy();
    await cluster.stop();
    rmSync(parent, { recursive: true, force: true });
  }
}

/** The plan PostgreSQL picks for the national first page. */
async function explain(db: Db): Promise<string> {
  const { sql, bindings } = overdueQuery(db, {}, { limit: PAGE }).toSQL();
  const result = await db.raw(`EXPLAIN ${sql}`, bindings as never);
  return result.rows.map((row: Record<string, string>) => Object.values(row)[0]).join('\n');
}
