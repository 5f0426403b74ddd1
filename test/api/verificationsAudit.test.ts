import { createLogger } from '../../config/logger';
import type { Db } from '../../db/knex';
import { VerificationAuditWriter } from '../../api/verifications/auditWriter';
import { testDb } from '../support/database';

let db: Db;

beforeAll(() => {
  db = testDb();
});

afterAll(async () => {
  await db?.destroy();
});

describe('VerificationAuditWriter', () => {
  test('when more rows are recorded than one encoding buffer holds, then closing writes every one of them as recorded', async () => {
    const writer = new VerificationAuditWriter(db, createLogger('silent'), { flushMs: 60_000, batchSize: 100_000, maxBacklog: 200_000 });
    // A unit id the database does not know would fail the batch; the seeded airline is known.
    const idNumber = `11010519491231${String(Date.now() % 10_000).padStart(4, '0')}`;
    const count = 3_000; // about 200 KB of COPY text: several 64 KB buffers
    for (let i = 0; i < count; i++) {
      writer.record({ unitId: 'air-china', idNumber, cardValidFrom: '2020-01-01', result: i % 2 ? 'VALID' : 'INVALID', reason: i % 2 ? null : 'NAME_MISMATCH', checkedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString() });
    }
    expect(writer.backlog).toBe(count);
    await writer.close();
    expect(writer.backlog).toBe(0);
    const rows = await db('verificationAudit').where({ idNumber }).orderBy('checkedAt').select('result', 'reason', 'checkedAt', 'unitId');
    expect(rows).toHaveLength(count);
    expect(rows[0]).toEqual({ result: 'INVALID', reason: 'NAME_MISMATCH', checkedAt: new Date(Date.UTC(2026, 0, 1)), unitId: 'air-china' });
    expect(rows[count - 1]).toEqual({ result: 'VALID', reason: null, checkedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, count - 1)), unitId: 'air-china' });
  });

  test('when a batch cannot be written, then its rows stay waiting and count as backlog', async () => {
    const writer = new VerificationAuditWriter(db, createLogger('silent'), { flushMs: 60_000, batchSize: 100_000, maxBacklog: 2 });
    writer.record({ unitId: 'no-such-unit', idNumber: '110105194912310029', cardValidFrom: '2020-01-01', result: 'VALID', reason: null, checkedAt: new Date().toISOString() });
    writer.record({ unitId: 'no-such-unit', idNumber: '110105194912310029', cardValidFrom: '2020-01-01', result: 'VALID', reason: null, checkedAt: new Date().toISOString() });
    await writer.flush();
    expect(writer.backlog).toBe(2);
    expect(writer.full).toBe(true);
  });
});
