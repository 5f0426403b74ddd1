import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../../db/knex';
import { migrateAllDown, migrateToLatest } from '../../db/migrate';
import { migrationSource } from '../../db/migrations';
import { seedReferenceData } from '../../db/seed/referenceData';
import { within } from '../support/bounds';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, stationIn, unservedWorkflowSettings } from '../support/fixtures';

/** PostgreSQL delivers a NOTIFY to its listeners as the writing transaction commits. */
const NOTIFICATION_BOUND_MS = 10_000;

/** A database of this file's own on the test cluster, so rolling back touches nothing else. */
async function freshDatabase(): Promise<{ db: Db; drop(): Promise<void> }> {
  const name = `migrations_${randomUUID().replaceAll('-', '')}`;
  // Creating a database takes more than the app's role may do.
  const admin = new Client(process.env.TEST_SUPERUSER_DATABASE_URL);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.TEST_SUPERUSER_DATABASE_URL!);
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  return {
    db,
    drop: async () => {
      await db.destroy();
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    },
  };
}

describe('migrations', () => {
  test('when run on an empty database, then every migration applies, rolls back to nothing, and applies again', async () => {
    const { db, drop } = await freshDatabase();
    try {
      const all = await migrationSource.getMigrations([]);
      expect(await migrateToLatest(db)).toEqual(all);
      await migrateAllDown(db);
      const left = await db.raw("select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'knex_%'");
      expect(left.rows).toEqual([]);
      const types = await db.raw("select typname from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = 'public' and t.typtype = 'e'");
      expect(types.rows).toEqual([]);
      expect(await migrateToLatest(db)).toEqual(all);
      await seedReferenceData(db);
      const [{ count }] = await db('regions').where('level', 'province').count({ count: '*' });
      expect(Number(count)).toBe(31);
    } finally {
      await drop();
    }
  });
});

describe('the data model', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(() => db.destroy());

  const application = (idNumber: string, homeRegionCode: string) => ({
    id: randomUUID(),
    workflowId: `wf-${randomUUID()}`,
    runId: randomUUID(),
    idNumber,
    kind: 'renewal',
    reason: 'expired',
    stage: 'HOME_REVIEW',
    acceptingStationCode: stationIn(COUNTIES.shenzhenNanshan),
    homeRegionCode,
    acceptedAt: new Date(),
    deadlineAt: new Date(Date.now() + 60 * 86_400_000),
    fingerprintCaptured: true,
    appearanceChanged: false,
    workflowSettings: unservedWorkflowSettings(),
  });

  test('when two stations insert an application for the same person at once, then exactly one is kept', async () => {
    const citizen = await newCitizen(db);
    const results = await Promise.allSettled([
      db.transaction((trx) => trx('applications').insert(application(citizen.idNumber, citizen.homeRegionCode))),
      db.transaction((trx) => trx('applications').insert(application(citizen.idNumber, citizen.homeRegionCode))),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).toBe('23505');
    expect(await db('applications').where('idNumber', citizen.idNumber)).toHaveLength(1);
  });

  test('when the application in progress is completed, then the person may apply again', async () => {
    const citizen = await newCitizen(db);
    const first = application(citizen.idNumber, citizen.homeRegionCode);
    await db('applications').insert(first);
    await db('applications').where('id', first.id).update({ stage: 'COMPLETED' });
    await expect(db('applications').insert(application(citizen.idNumber, citizen.homeRegionCode))).resolves.toBeDefined();
  });

  test('when a card changes status, then the invalidation feed records issue and change, every instance hears of it, and the audit log refuses edits', async () => {
    const citizen = await newCitizen(db);
    const listener = new Client(process.env.DATABASE_URL);
    await listener.connect();
    // Other test files change cards at the same time: wait for this person's notification.
    const expected = `${citizen.idNumber}|${citizen.cards[0].validFrom}`;
    const heard = new Promise<string>((resolve) => listener.on('notification', (message) => message.payload === expected && resolve(message.payload)));
    await listener.query('LISTEN card_status');
    await db('cards').where({ idNumber: citizen.idNumber }).update({ status: 'REPORTED_LOST' });
    expect(await within(heard, NOTIFICATION_BOUND_MS, 'the card_status notification did not arrive')).toBe(`${citizen.idNumber}|${citizen.cards[0].validFrom}`);
    await listener.end();
    const feed = await db('cardStatusEvents').where('idNumber', citizen.idNumber).orderBy('seq');
    expect(feed.map((event) => [event.previousStatus, event.status])).toEqual([[null, 'ACTIVE'], ['ACTIVE', 'REPORTED_LOST']]);

    const [entry] = await db('auditLog').insert({ actor: 'test', action: 'test.entry', subjectType: 'test', subjectId: citizen.idNumber }).returning('id');
    await expect(db('auditLog').where('id', entry.id).update({ action: 'rewritten' })).rejects.toMatchObject({ code: '42501' });
    await expect(db('auditLog').where('id', entry.id).delete()).rejects.toMatchObject({ code: '42501' });
  });

  test('when two cards for one person are both ACTIVE, then the database refuses it', async () => {
    const citizen = await newCitizen(db);
    await expect(db('cards').insert({ idNumber: citizen.idNumber, validFrom: '2030-01-01', validUntil: '2040-01-01', status: 'ACTIVE' })).rejects.toMatchObject({ code: '23505' });
  });
});
