import type { Db } from '../knex';

export interface ApplicantStatusRow {
  applicationId: string;
  stage: string;
  deadlineAt: Date;
  pickupStationCode: string;
  pickupStationName: string;
}

/** The application only when both its number and the applicant's citizen number match. */
export async function findApplicantStatus(db: Db, applicationId: string, idNumber: string): Promise<ApplicantStatusRow | undefined> {
  return db('applications')
    .join('stations', 'stations.code', 'applications.acceptingStationCode')
    .where({ 'applications.id': applicationId, 'applications.idNumber': idNumber })
    .first('applications.id as applicationId', 'applications.stage', 'applications.deadlineAt', 'stations.code as pickupStationCode', 'stations.name as pickupStationName');
}
