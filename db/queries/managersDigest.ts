import type { Db } from '../knex';
import { regionPrefix, type ApplicationStage } from '../../domain';
import type { DueCase, ManagersDigest } from '../../domain/managersDigest';
import { dueWorklist, worklistQuery } from './worklists';

/** The notification topic of the managers' daily digest; its text is `notifications/templates.ts`'s. */
export const MANAGERS_DIGEST_TOPIC = 'deadline.daily_digest';

/** A region some active manager account is responsible for (national managers, with none, are not a region). */
export interface ManagedRegion {
  code: string;
  name: string;
}

/** The regions of active managers, each once, in code order. */
export async function regionsWithManagers(db: Db): Promise<ManagedRegion[]> {
  return db('users')
    .join('regions', 'regions.code', 'users.regionCode')
    .where('users.role', 'manager')
    .whereNull('users.disabledAt')
    .distinct('regions.code', 'regions.name')
    .orderBy('regions.code');
}

/**
 * A region's cases on the managers' due worklist at `now` — what `GET /v1/worklists/due?regionCode=`
 * lists to its managers — with the accepting station's name; nothing about the person.
 */
export async function dueCasesInRegion(db: Db, regionCode: string, now: Date, warningDays: number): Promise<DueCase[]> {
  const rows: Array<{ id: string; receiptNumber: string; stage: ApplicationStage; acceptingStationCode: string; stationName: string; deadlineAt: Date }> = await worklistQuery(
    db,
    { regionPrefix: regionPrefix(regionCode) },
    dueWorklist(warningDays),
    now,
  )
    .join('stations', 'stations.code', 'applications.acceptingStationCode')
    .select('applications.id', 'applications.receiptNumber', 'applications.stage', 'applications.acceptingStationCode', 'stations.name as stationName', 'applications.deadlineAt');
  return rows.map((row) => ({
    applicationId: row.id,
    receiptNumber: row.receiptNumber,
    stage: row.stage,
    acceptingStationCode: row.acceptingStationCode,
    acceptingStationName: row.stationName,
    deadlineAt: row.deadlineAt,
  }));
}

/**
 * Queues a region's digest for its managers' inboxes (recipient: the region's code). The outbox's
 * unique dedupe key makes a second write for the same region and date a no-op.
 * @returns whether this call wrote it (false: already written).
 */
export async function queueDigest(db: Db, region: ManagedRegion, digest: ManagersDigest, dedupeKey: string, warningDays: number): Promise<boolean> {
  const inserted = await db('outbox')
    .insert({
      topic: MANAGERS_DIGEST_TOPIC,
      recipientRole: 'manager',
      recipientCode: region.code,
      payload: { regionCode: region.code, regionName: region.name, warningDays, ...digest },
      dedupeKey,
    })
    .onConflict('dedupeKey')
    .ignore()
    .returning('id');
  return inserted.length === 1;
}
