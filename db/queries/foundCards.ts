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
