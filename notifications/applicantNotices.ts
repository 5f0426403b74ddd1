import type { Db } from '../db/knex';
import type { ApplicationStage } from '../domain';

/**
 * Notices the application's own steps imply, written to the outbox in the transaction that records
 * the step (so a step is never recorded without its notice, nor its notice written twice: the keys
 * are one per application, topic and recipient). The dispatcher fills in phone and text at delivery.
 */
interface Notice {
  topic: string;
  recipientRole: 'applicant' | 'station';
  recipientCode: string | null;
  dedupeKey: string;
}

export function noticesOnAcceptance(applicationId: string): Notice[] {
  return [{ topic: 'application.accepted', recipientRole: 'applicant', recipientCode: null, dedupeKey: `${applicationId}:application.accepted:applicant` }];
}

export function noticesOnStage(applicationId: string, stage: ApplicationStage | undefined, acceptingStationCode: string): Notice[] {
  if (stage === 'REFUSED') {
    return [
      { topic: 'application.refused', recipientRole: 'applicant', recipientCode: null, dedupeKey: `${applicationId}:application.refused:applicant` },
      { topic: 'application.refused', recipientRole: 'station', recipientCode: acceptingStationCode, dedupeKey: `${applicationId}:application.refused:station` },
    ];
  }
  if (stage === 'READY_FOR_PICKUP') {
    return [{ topic: 'card.ready_for_pickup', recipientRole: 'applicant', recipientCode: acceptingStationCode, dedupeKey: `${applicationId}:card.ready_for_pickup:applicant` }];
  }
  return [];
}

export async function writeNotices(trx: Db, applicationId: string, notices: Notice[]): Promise<void> {
  if (notices.length === 0) return;
  await trx('outbox')
    .insert(notices.map((notice) => ({ ...notice, payload: { applicationId } })))
    .onConflict('dedupeKey')
    .ignore();
}

/** The accepting station of an application, for notices written where only its id is at hand. */
export async function acceptingStationOf(trx: Db, applicationId: string): Promise<string> {
  return (await trx('applications').where('id', applicationId).first('acceptingStationCode')).acceptingStationCode;
}
