import type { StationRecordScope } from './lossReports';
import type { Db } from '../knex';

export interface FoundCardRow {
  id: string;
  cardId: number;
  handedInStationCode: string;
  handedInAt: Date;
  disposition: 'HOLD_FOR_OWNER' | 'DESTROY';
  state: 'HELD' | 'RETURNED' | 'DESTROYED';
  closedAt: Date | null;
  closedByStationCode: string | null;
}

export async function insertFoundCard(trx: Db, row: Omit<FoundCardRow, 'closedAt' | 'closedByStationCode'>): Promise<void> {
  await trx('foundCards').insert(row);
}

export async function findFoundCard(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<FoundCardRow | undefined> {
  const query = db('foundCards').where('id', id).first();
  return options.forUpdate ? query.forUpdate() : query;
}

/** The card's found-card record still held at a station (at most one: a unique index holds it). */
export async function findHeld(db: Db, cardId: number): Promise<FoundCardRow | undefined> {
  return db('foundCards').where({ cardId, state: 'HELD' }).first();
}

/** Every found-card record of the person's cards, newest first, with the card's validity start. */
export async function foundCardsOf(db: Db, idNumber: string): Promise<Array<FoundCardRow & { cardValidFrom: string }>> {
  return db('foundCards')
    .join('cards', 'cards.id', 'foundCards.cardId')
    .where('cards.idNumber', idNumber)
    .orderBy('foundCards.handedInAt', 'desc')
    .select('foundCards.*', 'cards.validFrom as cardValidFrom');
}

export async function closeFoundCard(trx: Db, id: string, state: 'RETURNED' | 'DESTROYED', stationCode: string, at: Date): Promise<void> {
  await trx('foundCards').where('id', id).update({ state, closedAt: at, closedByStationCode: stationCode });
}

export interface ListedFoundCard extends FoundCardRow {
  idNumber: string;
  cardValidFrom: string;
  cardStatus: string;
  name: string | null;
  handedInStationName: string;
}

/**
 * Found cards newest first, keyset-paged on (handedInAt, id), with the card, the holder's name and
 * the station's name: those handed in at one station, or at the stations of a region (prefix).
 */
export async function listFoundCards(
  db: Db,
  scope: StationRecordScope,
  filter: { state: FoundCardRow['state'] | 'all'; after?: { handedInAt: string; id: string }; limit: number },
): Promise<ListedFoundCard[]> {
  const query = db('foundCards as f').join('cards as c', 'c.id', 'f.cardId').leftJoin('citizens as z', 'z.idNumber', 'c.idNumber').join('stations as s', 's.code', 'f.handedInStationCode');
  if (scope.stationCode) query.where('f.handedInStationCode', scope.stationCode);
  if (scope.regionPrefix) query.whereLike('s.regionCode', `${scope.regionPrefix}%`);
  if (filter.state !== 'all') query.where('f.state', filter.state);
  if (filter.after) query.whereRaw('(f.handed_in_at, f.id) < (?, ?)', [filter.after.handedInAt, filter.after.id]);
  return query
    .orderBy([{ column: 'f.handedInAt', order: 'desc' }, { column: 'f.id', order: 'desc' }])
    .limit(filter.limit)
    .select('f.*', 'c.idNumber', db.raw(`to_char(c.valid_from, 'YYYY-MM-DD') as card_valid_from`), 'c.status as cardStatus', 'z.name', 's.name as handedInStationName');
}
