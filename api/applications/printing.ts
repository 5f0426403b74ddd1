import { chinaDateOf, printedCardValidity, type CalendarDate } from '../../domain';
import { systemClock, type Clock } from '../../config/clock';
import type { Db } from '../../db/knex';
import type { ApplicationRow } from '../../db/queries/applications';
import { findBirthDate } from '../../db/queries/cardRegistry';
import { problems } from '../problems';
import { ensureNewCardDate } from './steps';

/**
 * The dates of the card a production centre reports printed, by the law's rule
 * (`printedCardValidity`): sent dates are checked, omitted ones derived — `validFrom` today (China's
 * date), `validUntil` from the holder's age on it — so a centre may send `{}` and print what it is
 * told back. The new card must also start after every card the person holds.
 * @throws Problem 422 `valid_from_out_of_range` (with `earliest`, `latest`), `valid_until_mismatch`
 * (with `expectedValidUntil`), `valid_from_not_after_existing_card`.
 */
export async function printedCardDates(
  deps: { db: Db; clock?: Clock },
  application: ApplicationRow,
  sent: { validFrom?: CalendarDate; validUntil?: CalendarDate | null },
): Promise<{ validFrom: CalendarDate; validUntil: CalendarDate | null }> {
  const today = (deps.clock ?? systemClock).today();
  // A date some card of the person already starts on (or after) is told as such, whatever else is wrong with it.
  await ensureNewCardDate(deps.db, application, sent.validFrom ?? today);
  const birthDate = await findBirthDate(deps.db, application.idNumber);
  if (!birthDate) throw problems.notFound('The card holder in the population registry');
  const checked = printedCardValidity({
    birthDate,
    acceptedOn: chinaDateOf(application.acceptedAt.getTime()),
    today,
    ...(sent.validFrom !== undefined ? { validFrom: sent.validFrom } : {}),
    ...(sent.validUntil !== undefined ? { validUntil: sent.validUntil } : {}),
  });
  if (!checked.ok) {
    const { code, message, earliest, latest } = checked;
    throw problems.refused(code, `${message}.`, { earliest, latest, ...(code === 'valid_until_mismatch' ? { expectedValidUntil: checked.expectedValidUntil } : {}) });
  }
  return { validFrom: checked.validFrom, validUntil: checked.validUntil };
}
