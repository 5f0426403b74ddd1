import type { CalendarDate } from './calendar';
import type { CardStatus } from './cards';

/**
 * Loss reports (挂失申报): which card may be reported lost, and when. One rule for every way a
 * report comes in — at a station's counter (`POST /v1/loss-reports`) and in the bulk import of
 * the old systems' reports — so that a line of an old file is taken or refused as the counter
 * would take or refuse it. The checks on the person reporting (name, fingerprints) come first and
 * are the caller's.
 */
export type LossReportRefusalCode = 'reported_before_valid_from' | 'already_reported_lost' | 'card_not_active';

export type LossReportCheck =
  | { ok: true }
  | { ok: false; code: 'reported_before_valid_from'; message: string; cardValidFrom: CalendarDate }
  | { ok: false; code: 'already_reported_lost'; message: string }
  | { ok: false; code: 'card_not_active'; message: string; cardStatus: CardStatus };

/**
 * Whether `card` may be reported lost on `reportedOn` (China's date of the report: today at the
 * counter, the old report's own day in an import). The first that applies:
 * 1. `reportedOn` is before the card's `validFrom` → `reported_before_valid_from`: no one reports a
 *    card lost before it was issued;
 * 2. the card is REPORTED_LOST → `already_reported_lost`: it has an open report;
 * 3. the card is not ACTIVE (SUPERSEDED by a newer card, EXPIRED, DESTROYED) → `card_not_active`:
 *    it is invalid already, there is nothing to report;
 * otherwise the report is taken.
 */
export function checkLossReport(card: { status: CardStatus; validFrom: CalendarDate }, reportedOn: CalendarDate): LossReportCheck {
  if (reportedOn < card.validFrom) {
    return { ok: false, code: 'reported_before_valid_from', message: `The card is valid from ${card.validFrom}; a loss report cannot be dated ${reportedOn}, before it was issued.`, cardValidFrom: card.validFrom };
  }
  if (card.status === 'REPORTED_LOST') return { ok: false, code: 'already_reported_lost', message: 'The card is already reported lost.' };
  if (card.status !== 'ACTIVE') return { ok: false, code: 'card_not_active', message: `The card is no longer valid (${card.status}); there is nothing to report.`, cardStatus: card.status };
  return { ok: true };
}
