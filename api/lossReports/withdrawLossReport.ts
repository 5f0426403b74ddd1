import { z } from 'zod';
import { CARD_STATUSES, mayWithdrawLossReport, type CardStatus } from '../../domain';
import { instant } from '../answers';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import { findCardById, hasNewerCard, setCardStatus } from '../../db/queries/cardRegistry';
import { applicationInProgress, findLossReport, markWithdrawn } from '../../db/queries/lossReports';
import type { CallerAs } from '../../db/users';
import { isUniqueViolation, problems } from '../problems';
import { cardKey, type CardCacheInvalidator } from '../verifications/cardFactsCache';
import { isUuid } from '../validation';


/** A withdrawn report as the station is answered: the card's status now (ACTIVE, or what else it became meanwhile). */
export const withdrawnLossReportSchema = z.object({ lossReportId: z.uuid(), cardStatus: z.enum(CARD_STATUSES), withdrawnAt: instant });

/**
 * Withdrawal of a loss report (解除挂失) when the card turns up: only in person at the authority
 * that took the report — any station of the county (`authorityRegionCode`) where it was taken —
 * and never once a replacement exists (a newer card, or a replacement application still running).
 * The card reads valid again on every instance.
 * @throws Problem 404; 403 `forbidden_jurisdiction`; 409 `already_withdrawn`, `card_superseded`,
 * `replacement_in_progress`.
 */
export async function withdrawLossReport(
  deps: { db: Db; cache: CardCacheInvalidator },
  station: CallerAs<'station'>,
  lossReportId: string,
  request: { reason?: string },
): Promise<z.output<typeof withdrawnLossReportSchema>> {
  const { db, cache } = deps;
  if (!isUuid(lossReportId)) throw problems.notFound('The loss report');
  const withdrawnAt = new Date();
  let card: { idNumber: string; validFrom: string; status: CardStatus };
  try {
    card = await db.transaction(async (trx) => {
      const report = await findLossReport(trx, lossReportId, { forUpdate: true });
      if (!report) throw problems.notFound('The loss report');
      if (!mayWithdrawLossReport(station, report)) {
        throw problems.forbiddenJurisdiction('Only a station of the authority that took the report may withdraw it, in person.');
      }
      if (report.withdrawnAt) throw problems.conflict('already_withdrawn', 'The loss report was already withdrawn.');
      const lost = (await findCardById(trx, report.cardId, { forUpdate: true }))!;
      if (lost.status === 'SUPERSEDED' || (await hasNewerCard(trx, lost.idNumber, lost.validFrom))) {
        throw problems.conflict('card_superseded', 'A replacement card has been issued: the lost card stays invalid.');
      }
      if (report.applicationId && (await applicationInProgress(trx, report.applicationId))) {
        throw problems.conflict('replacement_in_progress', 'A replacement for this card is in progress: withdraw that application first.', { applicationId: report.applicationId });
      }
      await markWithdrawn(trx, report.id, station.stationCode, withdrawnAt);
      const status: CardStatus = lost.status === 'REPORTED_LOST' ? 'ACTIVE' : lost.status;
      if (status !== lost.status) await setCardStatus(trx, lost.id, status, withdrawnAt);
      await recordAudit(trx, {
        actor: station.id,
        action: 'loss_report.withdrawn',
        subjectType: 'loss_report',
        subjectId: report.id,
        at: withdrawnAt,
        details: { cardId: lost.id, stationCode: station.stationCode, reason: request.reason ?? null, cardStatus: status },
      });
      return { idNumber: lost.idNumber, validFrom: lost.validFrom, status };
    });
  } catch (error) {
    // The person holds another valid card (one ACTIVE card per person): it replaced this one.
    if (isUniqueViolation(error)) throw problems.conflict('card_superseded', 'The person holds a newer valid card: the lost card stays invalid.');
    throw error;
  }
  cache.invalidate(cardKey(card.idNumber, card.validFrom));
  return { lossReportId, cardStatus: card.status, withdrawnAt: withdrawnAt.toISOString() };
}
