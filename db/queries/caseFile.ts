import type { Db } from '../knex';

/** Who the application is for and where it stands, by name as well as code: read for a page of applications at once. */
export interface CaseFacts {
  applicationId: string;
  receiptNumber: string;
  citizenName: string;
  reason: string;
  contactPhone: string | null;
  fingerprintCaptured: boolean;
  appearanceChanged: boolean;
  extensionReason: string | null;
  acceptingStation: { code: string; name: string; address: string | null; regionCode: string; regionName: string };
  homeRegion: { code: string; name: string };
  productionCentre: { code: string; name: string } | null;
}

/** One stage entered, with the account that moved it there (`system` for the workflow's own timers). */
export interface StageEntry {
  stage: string;
  at: Date;
  note: string | null;
  actor: string | null;
  actorName: string | null;
  actorRole: string | null;
}

/** A fact recorded on the application that is not a stage: a print failure, a misrouted arrival. */
export interface CaseEvent {
  action: 'card.print_failed' | 'card.misrouted';
  at: Date;
  details: Record<string, unknown>;
}

/** The case facts of these applications, keyed by application id. */
export async function findCaseFacts(db: Db, applicationIds: string[]): Promise<Map<string, CaseFacts>> {
  if (applicationIds.length === 0) return new Map();
  const rows = await db('applications as a')
    .join('citizens as c', 'c.idNumber', 'a.idNumber')
    .join('stations as s', 's.code', 'a.acceptingStationCode')
    .join('regions as sr', 'sr.code', 's.regionCode')
    .join('regions as hr', 'hr.code', 'a.homeRegionCode')
    .leftJoin('productionCentres as pc', 'pc.provinceCode', db.raw("substr(a.home_region_code, 1, 2) || '0000'"))
    .whereIn('a.id', applicationIds)
    .select(
      'a.id',
      'a.receiptNumber',
      'a.reason',
      'a.contactPhone',
      'a.fingerprintCaptured',
      'a.appearanceChanged',
      'a.extensionReason',
      'c.name as citizenName',
      's.code as stationCode',
      's.name as stationName',
      // Read through jsonb: a station's address is held only where the schema has it.
      db.raw("to_jsonb(s) ->> 'address' as station_address"),
      's.regionCode as stationRegionCode',
      'sr.name as stationRegionName',
      'hr.code as homeRegionCode',
      'hr.name as homeRegionName',
      'pc.code as productionCentreCode',
      'pc.name as productionCentreName',
    );
  return new Map(
    rows.map((row: Record<string, any>) => [
      row.id,
      {
        applicationId: row.id,
        receiptNumber: row.receiptNumber,
        citizenName: row.citizenName,
        reason: row.reason,
        contactPhone: row.contactPhone,
        fingerprintCaptured: row.fingerprintCaptured,
        appearanceChanged: row.appearanceChanged,
        extensionReason: row.extensionReason,
        acceptingStation: { code: row.stationCode, name: row.stationName, address: row.stationAddress ?? null, regionCode: row.stationRegionCode, regionName: row.stationRegionName },
        homeRegion: { code: row.homeRegionCode, name: row.homeRegionName },
        productionCentre: row.productionCentreCode ? { code: row.productionCentreCode, name: row.productionCentreName } : null,
      },
    ]),
  );
}

/** The stage history with who acted, oldest first. */
export async function findStageHistoryWithActors(db: Db, applicationId: string): Promise<StageEntry[]> {
  return db('applicationStageHistory as h')
    .leftJoin('users as u', 'u.id', 'h.actor')
    .where('h.applicationId', applicationId)
    .orderBy([{ column: 'h.at' }, { column: 'h.id' }])
    .select('h.stage', 'h.at', 'h.note', 'h.actor', 'u.name as actorName', 'u.role as actorRole');
}

/** Print failures and misrouted arrivals, oldest first, from the application's audit entries. */
export async function findCaseEvents(db: Db, applicationId: string): Promise<CaseEvent[]> {
  return db('auditLog')
    .where({ subjectType: 'application', subjectId: applicationId })
    .whereIn('action', ['card.print_failed', 'card.misrouted'])
    .orderBy([{ column: 'at' }, { column: 'id' }])
    .select('action', 'at', 'details');
}

/** Station names and addresses by code, for the places a case file names besides its own (a misrouted arrival). */
export async function findStationNames(db: Db, codes: string[]): Promise<Map<string, { code: string; name: string }>> {
  if (codes.length === 0) return new Map();
  const rows: Array<{ code: string; name: string }> = await db('stations').whereIn('code', codes).select('code', 'name');
  return new Map(rows.map((row) => [row.code, row]));
}

/** Where an application stands, for another station that meets the same person: no personal data. */
export async function findWhereItStands(db: Db, applicationId: string): Promise<{ acceptingStation: { code: string; name: string }; stage: string; deadlineAt: string } | undefined> {
  const row = await db('applications as a').join('stations as s', 's.code', 'a.acceptingStationCode').where('a.id', applicationId).first('s.code', 's.name', 'a.stage', 'a.deadlineAt');
  return row ? { acceptingStation: { code: row.code, name: row.name }, stage: row.stage, deadlineAt: row.deadlineAt.toISOString() } : undefined;
}
