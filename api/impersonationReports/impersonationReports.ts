import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { mayActOnPerson } from '../../domain';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import {
  decideImpersonationReport,
  findImpersonationReport,
  homeRegionOf,
  insertImpersonationReport,
  listImpersonationReports,
  notifyManagers,
  type ImpersonationReportRow,
} from '../../db/queries/impersonationReports';
import type { CallerAs } from '../../db/users';
import type { BlacklistCategory } from '../../domain/blacklist';
import { addToBlacklist } from '../blacklist/blacklist';
import { peopleScope } from '../jurisdiction';
import { calendarDate, instant } from '../answers';
import { cursor, pageOf } from '../paging';
import { isInstant, isUuid } from '../validation';
import { Problem, problems } from '../problems';


/** A report as managers read it ({@link view}). */
export const impersonationReportSchema = z.object({
  impersonationReportId: z.uuid(),
  unitId: z.string(),
  idNumber: z.string(),
  cardValidFrom: calendarDate.nullable(),
  note: z.string().nullable(),
  reportedAt: instant,
  state: z.enum(['OPEN', 'CONFIRMED', 'DISMISSED']),
  decidedBy: z.string().nullable(),
  decidedAt: instant.nullable(),
  blacklistEntryId: z.uuid().nullable(),
});
export type ImpersonationReportView = z.output<typeof impersonationReportSchema>;
/** What the reporting unit is answered ({@link reportImpersonation}). */
export const impersonationReportedSchema = z.object({ impersonationReportId: z.uuid(), state: z.literal('OPEN'), reportedAt: instant });

const view = (row: ImpersonationReportRow): ImpersonationReportView => ({
  impersonationReportId: row.id,
  unitId: row.unitId,
  idNumber: row.idNumber,
  cardValidFrom: row.cardValidFrom,
  note: row.note,
  reportedAt: row.reportedAt.toISOString(),
  state: row.state,
  decidedBy: row.decidedBy,
  decidedAt: row.decidedAt?.toISOString() ?? null,
  blacklistEntryId: row.blacklistEntryId,
});

/**
 * A card-using unit reports that someone presented a card that is not theirs (冒用). The managers of
 * the card holder's home region are told (national managers when the number is not in the registry).
 */
export async function reportImpersonation(
  db: Db,
  unit: CallerAs<'unit'>,
  request: { idNumber: string; cardValidFrom?: string; note?: string },
): Promise<z.output<typeof impersonationReportedSchema>> {
  const id = randomUUID();
  const reportedAt = new Date();
  await db.transaction(async (trx) => {
    const homeRegion = await homeRegionOf(trx, request.idNumber);
    await insertImpersonationReport(trx, { id, unitId: unit.unitId, idNumber: request.idNumber, cardValidFrom: request.cardValidFrom ?? null, note: request.note ?? null, reportedAt, state: 'OPEN' });
    await notifyManagers(trx, { topic: 'impersonation.reported', regionCode: homeRegion ?? null, payload: { impersonationReportId: id, unitId: unit.unitId }, dedupeKey: `impersonation:${id}:reported` });
    await recordAudit(trx, { actor: unit.id, action: 'impersonation.reported', subjectType: 'impersonation_report', subjectId: id, at: reportedAt, details: { unitId: unit.unitId } });
  });
  return { impersonationReportId: id, state: 'OPEN', reportedAt: reportedAt.toISOString() };
}

const PAGE = 50;
const isReportCursor = (value: any): value is { reportedAt: string; id: string } => isInstant(value?.reportedAt) && isUuid(value?.id);

/** Reports in the manager's region, newest first, cursor-paged. @throws Problem 400 `invalid_cursor`. */
export async function listForManager(
  db: Db,
  manager: CallerAs<'manager' | 'admin'>,
  filter: { state?: ImpersonationReportRow['state']; cursor?: string },
): Promise<{ items: ImpersonationReportView[]; nextCursor: string | null }> {
  const after = cursor.decode(filter.cursor, isReportCursor);
  const rows = await listImpersonationReports(db, { state: filter.state, homeRegionPrefix: peopleScope(manager), after, limit: PAGE + 1 });
  return pageOf(rows, PAGE, view, (last) => ({ reportedAt: last.reportedAt.toISOString(), id: last.id }));
}

/**
 * A manager decides a report: confirmed — the impersonator, identified by the investigation
 * (`impersonatorIdNumber`, not the card's holder, who is the victim), goes on the blacklist — or
 * dismissed with a reason. Audited either way.
 * @throws Problem 404; 403 `forbidden_jurisdiction`; 409 `wrong_state` once decided.
 */
export async function decideImpersonation(
  db: Db,
  manager: CallerAs<'manager' | 'admin'>,
  id: string,
  decision: { confirm: true; impersonatorIdNumber: string; category: BlacklistCategory; note?: string } | { confirm: false; reason: string },
): Promise<ImpersonationReportView> {
  if (!isUuid(id)) throw problems.notFound('The impersonation report');
  return db.transaction(async (trx) => {
    const report = await findImpersonationReport(trx, id, { forUpdate: true });
    if (!report) throw problems.notFound('The impersonation report');
    if (!mayActOnPerson(manager, (await homeRegionOf(trx, report.idNumber)) ?? null)) throw problems.forbiddenJurisdiction('The card holder is registered outside your region.');
    if (report.state !== 'OPEN') throw problems.conflict('wrong_state', `The report was already decided (${report.state}).`, { state: report.state });
    const decidedAt = new Date();
    let blacklistEntryId: string | null = null;
    if (decision.confirm) {
      const entry = await addToBlacklist(trx, manager, {
        idNumber: decision.impersonatorIdNumber,
        category: decision.category,
        source: `impersonation report ${report.id} from ${report.unitId}`,
        note: decision.note,
      }).catch((error: unknown) => {
        // Already blacklisted in that category: link the entry in force instead.
        const existing = error instanceof Problem && error.code === 'already_blacklisted' ? error.extra.blacklistEntryId : undefined;
        if (typeof existing !== 'string') throw error;
        return { blacklistEntryId: existing };
      });
      blacklistEntryId = entry.blacklistEntryId;
    }
    const state = decision.confirm ? 'CONFIRMED' : 'DISMISSED';
    await decideImpersonationReport(trx, report.id, { state, decidedBy: manager.id, decidedAt, blacklistEntryId });
    await recordAudit(trx, {
      actor: manager.id,
      action: decision.confirm ? 'impersonation.confirmed' : 'impersonation.dismissed',
      subjectType: 'impersonation_report',
      subjectId: report.id,
      at: decidedAt,
      details: decision.confirm ? { blacklistEntryId } : { reason: decision.reason },
    });
    return view({ ...report, state, decidedBy: manager.id, decidedAt, blacklistEntryId });
  });
}
