import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CARD_STATUSES, checkLossReport, namesMatch, type LossReportCheck } from '../../domain';
import { calendarDate, instant } from '../answers';
import { systemClock, type Clock } from '../../config/clock';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import { findCardForUpdate, findNewestCardForUpdate, type CardRow } from '../../db/queries/cardRegistry';
import { findOpenLossReport, insertLossReport, reportCardsLost } from '../../db/queries/lossReports';
import type { CallerAs } from '../../db/users';
import { isUniqueViolation, problems, type Problem } from '../problems';
import { cardKey, type CardCacheInvalidator } from '../verifications/cardFactsCache';

/**
 * A loss report as its taker is answered: `POST /v1/loss-reports` ({@link reportLoss}), and a
 * replacement's acceptance (`lossReport`); the card reported and its status now.
 */
export const takenLossReportSchema = z.object({
  lossReportId: z.uuid(),
  cardValidFrom: calendarDate.meta({ description: 'the card reported (with the citizen number, it names the card)' }),
  cardStatus: z.enum(CARD_STATUSES).meta({ description: "the card's status now" }),
  reportedAt: instant,
});

export interface LossReportRequest {
  idNumber: string;
  name: string;
  /** The card reported; omitted, the person's current card (the newest one). */
  cardValidFrom?: string;
  circumstance: 'lost' | 'stolen';
  /** The on-the-spot fingerprint comparison; required when the card carries fingerprints. */
  fingerprintMatched?: boolean;
}

/**
 * The checks on the person reporting, at the counter or in an imported old report: the name against
 * the registry, and the on-the-spot fingerprint comparison when the card carries fingerprints.
 * @returns the refusal (422 `name_mismatch`, `fingerprint_check_required`, `fingerprint_mismatch`), or undefined.
 */
export function reporterRefusal(card: Pick<CardRow, 'holderName' | 'hasFingerprints'>, report: Pick<LossReportRequest, 'name' | 'fingerprintMatched'>): Problem | undefined {
  if (!namesMatch(report.name, card.holderName)) return problems.refused('name_mismatch', 'The name does not match the population registry.');
  if (card.hasFingerprints) {
    if (report.fingerprintMatched === undefined) {
      return problems.refused('fingerprint_check_required', 'The card carries fingerprints: compare them on the spot and send fingerprintMatched.');
    }
    if (!report.fingerprintMatched) return problems.refused('fingerprint_mismatch', 'The fingerprints do not match the card holder’s; the report is refused.');
  }
  return undefined;
}

/**
 * The problem for a card `checkLossReport` refused, the same at the counter and in an import line:
 * 422 `reported_before_valid_from` (with the card's `cardValidFrom`), 409 `already_reported_lost`
 * (with the open report's `lossReportId` when known), 409 `card_not_active` (with its `cardStatus`).
 */
export function lossReportRefusal(check: Exclude<LossReportCheck, { ok: true }>, openReportId?: string): Problem {
  switch (check.code) {
    case 'reported_before_valid_from':
      return problems.refused(check.code, check.message, { cardValidFrom: check.cardValidFrom });
    case 'already_reported_lost':
      return problems.conflict(check.code, check.message, openReportId ? { lossReportId: openReportId } : {});
    case 'card_not_active':
      return problems.conflict(check.code, check.message, { cardStatus: check.cardStatus });
  }
}

/**
 * A loss report (挂失申报) at any station: the card is invalid from the moment it is accepted.
 * The report and the card's new status commit together (the status trigger announces the change to
 * every API instance); this instance's cache forgets the card, and the 201 waits until every other
 * instance has acknowledged dropping it or can no longer answer from its cache (`CacheCoherence`), so
 * no verification anywhere reads VALID once the 201 is held, whatever the notification's latency.
 * The authority that took the report is the station's county: only its stations may withdraw it.
 * Which card may be reported, and when, is `checkLossReport`'s, as for an imported report.
 * @throws Problem 404 `card_not_found`; 422 `name_mismatch`, `fingerprint_check_required`,
 * `fingerprint_mismatch`, `reported_before_valid_from`; 409 `already_reported_lost` (with its
 * `lossReportId`), `card_not_active`.
 */
export async function reportLoss(
  deps: { db: Db; cache: CardCacheInvalidator; clock?: Clock },
  station: CallerAs<'station'>,
  request: LossReportRequest,
): Promise<{ lossReportId: string; cardValidFrom: string; cardStatus: 'REPORTED_LOST'; reportedAt: string }> {
  const { db, cache } = deps;
  const lossReportId = randomUUID();
  const clock = deps.clock ?? systemClock;
  const reportedAt = clock.now();
  let cardValidFrom = request.cardValidFrom;
  try {
    await db.transaction(async (trx) => {
      const card = request.cardValidFrom ? await findCardForUpdate(trx, request.idNumber, request.cardValidFrom) : await findNewestCardForUpdate(trx, request.idNumber);
      if (!card) throw problems.cardNotFound();
      cardValidFrom = card.validFrom;
      const refusal = reporterRefusal(card, request);
      if (refusal) throw refusal;
      const check = checkLossReport(card, clock.today());
      if (!check.ok) throw lossReportRefusal(check, check.code === 'already_reported_lost' ? (await findOpenLossReport(trx, card.id))?.id : undefined);

      await insertLossReport(trx, {
        id: lossReportId,
        cardId: card.id,
        circumstance: request.circumstance,
        reportingStationCode: station.stationCode,
        authorityRegionCode: station.regionCode,
        source: 'station',
        applicationId: null,
        importKey: null,
        reportedAt,
      });
      await reportCardsLost(trx, [card.id], reportedAt);
      await recordAudit(trx, {
        actor: station.id,
        action: 'loss_report.created',
        subjectType: 'loss_report',
        subjectId: lossReportId,
        at: reportedAt,
        details: { cardId: card.id, circumstance: request.circumstance, stationCode: station.stationCode, fingerprintMatched: request.fingerprintMatched ?? null },
      });
    });
  } catch (error) {
    // Two reports of one card at once: the one-open-report index lets one through.
    if (isUniqueViolation(error)) throw problems.conflict('already_reported_lost', 'The card is already reported lost.');
    throw error;
  }
  cache.invalidate(cardKey(request.idNumber, cardValidFrom!));
  await cache.everywhere?.();
  return { lossReportId, cardValidFrom: cardValidFrom!, cardStatus: 'REPORTED_LOST', reportedAt: reportedAt.toISOString() };
}
