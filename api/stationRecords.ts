import { z } from 'zod';
import { stationMayNarrowTo } from '../domain';
import type { Db } from '../db/knex';
import type { StationRecordScope } from '../db/queries/lossReports';
import type { CallerAs, User } from '../db/users';
import { maskIdNumber } from './applications/disclosure';
import { overseerScope, stationInJurisdiction } from './jurisdiction';
import { problems } from './problems';
import { regionCodeField, stationCodeField } from './validation';

/** The narrowing a manager or admin may ask of a station's lists (a station always reads its own). */
export const stationRecordFilter = {
  regionCode: regionCodeField.optional(),
  stationCode: stationCodeField.optional(),
  cursor: z.string().optional(),
};

/**
 * Whose loss reports and found cards a user lists: a station its own (taken or handed in at its
 * counter); a manager those of the stations in the region (national managers and admins all),
 * narrowed to `regionCode` or `stationCode` within it.
 * @throws Problem 403 `forbidden_jurisdiction` for a region or station outside the user's, or a
 * station naming another; 404 for an unknown station.
 */
export async function stationRecordScope(db: Db, user: CallerAs<'station' | 'manager' | 'admin'>, query: { regionCode?: string; stationCode?: string }): Promise<StationRecordScope> {
  if (user.role === 'station') {
    if (!stationMayNarrowTo(user, query)) throw problems.forbiddenJurisdiction('A station reads its own records only.');
    return { stationCode: user.stationCode };
  }
  const scope: StationRecordScope = {};
  const { regionPrefix } = overseerScope(user, query.regionCode);
  if (regionPrefix) scope.regionPrefix = regionPrefix;
  if (query.stationCode) scope.stationCode = await stationInJurisdiction(db, user, query.stationCode);
  return scope;
}

/**
 * The person behind a station's record, as the case file shows people: the name, and the citizen
 * number in full only to the station, which checked it against the person or the card at its own
 * counter; masked (`110101********0011`) to managers and admins.
 */
export const personOnRecordSchema = z.object({
  name: z.string().nullable(),
  idNumber: z.string().meta({ description: 'in full to the station, masked (110101********0011) to managers and admins' }),
  idNumberMasked: z.boolean(),
});

export function personOnRecord(user: User, row: { idNumber: string; name: string | null }): z.output<typeof personOnRecordSchema> {
  const full = user.role === 'station';
  return { name: row.name, idNumber: full ? row.idNumber : maskIdNumber(row.idNumber), idNumberMasked: !full };
}
