import type { Db } from '../knex';

export interface HeldCardRow {
  cardValidFrom: string;
  handedInAt: Date;
  stationName: string;
  stationAddress: string | null;
}

/** A person's handed-in cards that a station holds for them (not those waiting to be destroyed), newest first. */
export async function heldForOwner(db: Db, idNumber: string): Promise<HeldCardRow[]> {
  return db('foundCards')
    .join('cards', 'cards.id', 'foundCards.cardId')
    .join('stations', 'stations.code', 'foundCards.handedInStationCode')
    .where({ 'cards.idNumber': idNumber, 'foundCards.state': 'HELD', 'foundCards.disposition': 'HOLD_FOR_OWNER' })
    .orderBy('foundCards.handedInAt', 'desc')
    .select(db.raw(`to_char(cards.valid_from, 'YYYY-MM-DD') as card_valid_from`), 'foundCards.handedInAt', 'stations.name as stationName', 'stations.address as stationAddress');
}
