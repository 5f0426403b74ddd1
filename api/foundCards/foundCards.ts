import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { FOUND_CARD_DISPOSITIONS, foundCardDisposition, mayCloseFoundCard, namesMatch } from '../../domain';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import { findCardById, findCardForUpdate, newestCardValidFrom, registeredName, setCardStatus } from '../../db/queries/cardRegistry';
import { closeFoundCard, findFoundCard, findHeld, foundCardsOf, insertFoundCard } from '../../db/queries/foundCards';
import type { CallerAs } from '../../db/users';
import { isUniqueViolation, Problem, problems } from '../problems';
import { cardKey, type CardCacheInvalidator } from '../verifications/cardFactsCache';
import { chinaDate } from '../verifications/verify';
import { isUuid } from '../validation';
import { calendarDate, instant } from '../answers';

const disposition = z.enum(FOUND_CARD_DISPOSITIONS);
/** A hand-in as the station is answered ({@link handIn}). */
export const handedInSchema = z.object({ foundCardId: z.uuid(), disposition });
/** A held card returned or destroyed ({@link closeHeld}). */
export const closedFoundCardSchema = z.object({ foundCardId: z.uuid(), state: z.enum(['RETURNED', 'DESTROYED']), closedAt: instant });


/**
 * A found card handed in at any station (丢失招领), registered with what is to become of it: held
 * for the owner when it is still the owner's current card, destroyed when replaced or expired.
 * @throws Problem 404 `card_not_found`; 409 `already_handed_in` (with its `foundCardId`).
 */
export async function handIn(db: Db, station: CallerAs<'station'>, request: { idNumber: string; cardValidFrom: string }): Promise<z.output<typeof handedInSchema>> {
  const foundCardId = randomUUID();
  const at = new Date();
  try {
    return await db.transaction(async (trx) => {
      const card = await findCardForUpdate(trx, request.idNumber, request.cardValidFrom);
      if (!card) throw problems.cardNotFound();
      const held = await findHeld(trx, card.id);
      if (held) throw problems.conflict('already_handed_in', 'This card is already held at a station.', { foundCardId: held.id, stationCode: held.handedInStationCode });
      const disposition = foundCardDisposition(card, await newestCardValidFrom(trx, card.idNumber), chinaDate(at.getTime()));
      await insertFoundCard(trx, { id: foundCardId, cardId: card.id, handedInStationCode: station.stationCode, handedInAt: at, disposition, state: 'HELD' });
      await recordAudit(trx, { actor: station.id, action: 'found_card.handed_in', subjectType: 'found_card', subjectId: foundCardId, at, details: { cardId: card.id, stationCode: station.stationCode, disposition } });
      return { foundCardId, disposition };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw problems.conflict('already_handed_in', 'This card is already held at a station.');
    throw error;
  }
}

/** A found card as its owner's inquiry answers it ({@link inquire}). */
export const foundCardSchema = z.object({
  foundCardId: z.uuid(),
  cardValidFrom: calendarDate,
  disposition,
  state: z.enum(['HELD', 'RETURNED', 'DESTROYED']),
  handedInStationCode: z.string(),
  handedInAt: instant,
  closedAt: instant.nullable(),
});
export type FoundCardView = z.output<typeof foundCardSchema>;
/** The owner's inquiry: the cards of theirs handed in, newest first. */
export const inquiryAnswerSchema = z.object({ items: z.array(foundCardSchema) });

/**
 * The owner asks, at any station, whether a card of theirs was handed in. The registry's name must
 * match, so that a number alone tells nobody where someone's card lies.
 * @throws Problem 404 `unknown_citizen`; 422 `name_mismatch`.
 */
export async function inquire(db: Db, request: { idNumber: string; name: string }): Promise<z.output<typeof inquiryAnswerSchema>> {
  const name = await registeredName(db, request.idNumber);
  if (name === undefined) throw new Problem(404, 'unknown_citizen', 'Not found', 'No such citizen in the population registry.');
  if (!namesMatch(request.name, name)) throw problems.refused('name_mismatch', 'The name does not match the population registry.');
  const rows = await foundCardsOf(db, request.idNumber);
  return {
    items: rows.map((row) => ({
      foundCardId: row.id,
      cardValidFrom: row.cardValidFrom,
      disposition: row.disposition,
      state: row.state,
      handedInStationCode: row.handedInStationCode,
      handedInAt: row.handedInAt.toISOString(),
      closedAt: row.closedAt?.toISOString() ?? null,
    })),
  };
}

/**
 * Closes a held card at the station that holds it: handed back to its owner (`RETURNED`), or
 * destroyed and the destruction registered (`DESTROYED`; the card's status becomes DESTROYED on every
 * instance). What the card deserves is decided again now — it may have been replaced while held.
 * @throws Problem 404; 403 `forbidden_jurisdiction` (another station holds it); 409 `wrong_state`,
 * `must_be_destroyed` (no longer the owner's current card), `card_is_current` (hold it for the owner).
 */
export async function closeHeld(
  deps: { db: Db; cache: CardCacheInvalidator },
  station: CallerAs<'station'>,
  foundCardId: string,
  outcome: 'RETURNED' | 'DESTROYED',
  note?: string,
): Promise<z.output<typeof closedFoundCardSchema>> {
  if (!isUuid(foundCardId)) throw problems.notFound('The found card');
  const at = new Date();
  const changed = await deps.db.transaction(async (trx) => {
    const found = await findFoundCard(trx, foundCardId, { forUpdate: true });
    if (!found) throw problems.notFound('The found card');
    if (!mayCloseFoundCard(station, found)) throw problems.forbiddenJurisdiction('Only the station holding the card may hand it back or destroy it.');
    if (found.state !== 'HELD') throw problems.conflict('wrong_state', `The card is no longer held (${found.state}).`, { state: found.state });
    const card = (await findCardById(trx, found.cardId, { forUpdate: true }))!;
    const disposition = foundCardDisposition(card, await newestCardValidFrom(trx, card.idNumber), chinaDate(at.getTime()));
    if (outcome === 'RETURNED' && disposition !== 'HOLD_FOR_OWNER') throw problems.conflict('must_be_destroyed', 'The card is no longer the owner’s current card: it must be destroyed.');
    if (outcome === 'DESTROYED' && disposition !== 'DESTROY') throw problems.conflict('card_is_current', 'The card is still the owner’s current card: hold it for the owner.');
    await closeFoundCard(trx, found.id, outcome, station.stationCode, at);
    const destroyed = outcome === 'DESTROYED' && card.status !== 'DESTROYED';
    if (destroyed) await setCardStatus(trx, card.id, 'DESTROYED', at);
    await recordAudit(trx, {
      actor: station.id,
      action: outcome === 'RETURNED' ? 'found_card.returned' : 'found_card.destroyed',
      subjectType: 'found_card',
      subjectId: found.id,
      at,
      details: { cardId: card.id, stationCode: station.stationCode, previousCardStatus: card.status, ...(note ? { note } : {}) },
    });
    return destroyed ? cardKey(card.idNumber, card.validFrom) : undefined;
  });
  if (changed) {
    deps.cache.invalidate(changed);
    await deps.cache.everywhere?.();
  }
  return { foundCardId, state: outcome, closedAt: at.toISOString() };
}
