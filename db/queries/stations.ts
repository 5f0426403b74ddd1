import type { Db } from '../knex';

/** The region (6-digit county code) a station stands in; undefined for an unknown station. */
export async function stationRegionCode(db: Db, stationCode: string): Promise<string | undefined> {
  const station: { regionCode: string } | undefined = await db('stations').where('code', stationCode).first('regionCode');
  return station?.regionCode;
}

/** Every station's region, keyed by station code: for bulk work that names many stations. */
export async function stationRegionCodes(db: Db): Promise<Map<string, string>> {
  const rows: Array<{ code: string; regionCode: string }> = await db('stations').select('code', 'regionCode');
  return new Map(rows.map((row) => [row.code, row.regionCode]));
}
