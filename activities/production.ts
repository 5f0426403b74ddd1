import type { Db } from '../db/knex';

/**
 * Activities on a province's production-centre queue (制证中心): a centre may run its own worker
 * for its queue. Today a print job is announced through the outbox.
 */
export function createProductionActivities({ db }: { db: Db }) {
  return {
    async queuePrintJob(job: { applicationId: string; homeRegionCode: string; acceptingStationCode: string }): Promise<void> {
      await db('outbox')
        .insert({
          topic: 'print.job',
          recipientRole: 'production',
          recipientCode: `${job.homeRegionCode.slice(0, 2)}0000`,
          payload: { applicationId: job.applicationId, deliverTo: job.acceptingStationCode },
          dedupeKey: `${job.applicationId}:print.job`,
        })
        .onConflict('dedupeKey')
        .ignore();
    },
  };
}

export type ProductionActivities = ReturnType<typeof createProductionActivities>;
