import type { CardFacts, CardStatus } from '../../domain';
import type { Db } from '../knex';

/** One physical card as the registry holds it, with its holder's registered name. */
export interface CardRow {
  id: number;
  idNumber: string;
  validFrom: string;
  validUntil: string | null;
  status: CardStatus;
  hasFingerprints: boolean;
  holderName: string;
  homeRegionCode: string;
}

const CARD_COLUMNS = `c.id, c.id_number, c.valid_from, c.valid_until, c.status, c.has_fingerprints, z.name as holder_name, z.home_region_code`;

/** The card named by citizen number and `validFrom`, or undefined. */
export async function findCard(db: Db, idNumber: string, validFrom: string): Promise<CardRow | undefined> {
  const { rows } = await db.raw(
    `select ${CARD_COLUMNS} from cards c join citizens z on z.id_number = c.id_number where c.id_number = ? and c.valid_from = ?`,
    [idNumber, validFrom],
  );
  return rows[0];
}

/** The same, row-locked until the transaction ends: status changes on one card are serialised. */
export async function findCardForUpdate(trx: Db, idNumber: string, validFrom: string): Promise<CardRow | undefined> {
  const { rows } = await trx.raw(
    `select ${CARD_COLUMNS} from cards c join citizens z on z.id_number = c.id_number where c.id_number = ? and c.valid_from = ? for update of c`,
    [idNumber, validFrom],
  );
  return rows[0];
}

/** The person's newest card (by validFrom, whatever its status), locked for the transaction. */
export async function findNewestCardForUpdate(trx: Db, idNumber: string): Promise<CardRow | undefined> {
  const { rows } = await trx.raw(
    `select ${CARD_COLUMNS} from cards c join citizens z on z.id_number = c.id_number where c.id_number = ? order by c.valid_from desc limit 1 for update of c`,
    [idNumber],
  );
  return rows[0];
}

export async function findCardById(db: Db, cardId: number, options: { forUpdate?: boolean } = {}): Promise<CardRow | undefined> {
  const { rows } = await db.raw(
    `select ${CARD_COLUMNS} from cards c join citizens z on z.id_number = c.id_number where c.id = ?${options.forUpdate ? ' for update of c' : ''}`,
    [cardId],
  );
  return rows[0];
}

/**
 * What a verification needs to know about a card, and nothing more: status, validity and the
 * holder's registered name. Undefined when no such card was ever issued.
 */
export async function findCardFacts(db: Db, idNumber: string, validFrom: string): Promise<CardFacts | undefined> {
  const { rows } = await db.raw(
    `select c.status, c.valid_from, c.valid_until, z.name as holder_name
       from cards c join citizens z on z.id_number = c.id_number
      where c.id_number = ? and c.valid_from = ?`,
    [idNumber, validFrom],
  );
  return rows[0];
}

/** The `validFrom` of the person's newest card that was not destroyed, or null when there is none. */
export async function newestCardValidFrom(db: Db, idNumber: string): Promise<string | null> {
  const row = await db('cards').where('idNumber', idNumber).whereNot('status', 'DESTROYED').max({ validFrom: 'validFrom' }).first();
  return row?.validFrom ?? null;
}

/** Whether the person holds a card issued after this one (the card has been replaced). */
export async function hasNewerCard(db: Db, idNumber: string, validFrom: string): Promise<boolean> {
  const row = await db('cards').where('idNumber', idNumber).where('validFrom', '>', validFrom).first('id');
  return Boolean(row);
}

/**
 * Whether the person holds a card, in any status, whose validity starts on `validFrom` or later: a
 * new card dated so would collide with it (a number and a start name one card) or predate it.
 */
export async function hasCardFromOrAfter(db: Db, idNumber: string, validFrom: string): Promise<boolean> {
  const row = await db('cards').where('idNumber', idNumber).where('validFrom', '>=', validFrom).first('id');
  return Boolean(row);
}

/** Sets a card's status; the table's trigger appends to the status feed and NOTIFYs every API instance. */
export async function setCardStatus(trx: Db, cardId: number, status: CardStatus, at: Date): Promise<void> {
  await trx('cards').where('id', cardId).update({ status, statusChangedAt: at });
}

/** The registered name of the person, or undefined when the number is not in the registry. */
export async function registeredName(db: Db, idNumber: string): Promise<string | undefined> {
  const row = await db('citizens').where('idNumber', idNumber).first('name');
  return row?.name;
}

/** The person's birth date in the population registry (`YYYY-MM-DD`); undefined for someone not registered. */
export async function findBirthDate(db: Db, idNumber: string): Promise<string | undefined> {
  const row: { birthDate: string } | undefined = await db('citizens').where('idNumber', idNumber).first('birthDate');
  return row?.birthDate;
}
