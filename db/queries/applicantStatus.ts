import type { Db } from '../knex';

export interface ApplicantStatusRow {
  applicationId: string;
  receiptNumber: string;
  stage: string;
  deadlineAt: Date;
  pickupStationCode: string;
  pickupStationName: string;
}

/** The application only when both its number and the applicant's citizen number match. */
export async function findApplicantStatus(db: Db, number: { applicationId: string } | { receiptNumber: string }, idNumber: string): Promise<ApplicantStatusRow | undefined> {
  return db('applications')
    .join('stations', 'stations.code', 'applications.acceptingStationCode')
    .where('applications.idNumber', idNumber)
    .where('applicationId' in number ? { 'applications.id': number.applicationId } : { 'applications.receiptNumber': number.receiptNumber })
    .first('applications.id as applicationId', 'applications.receiptNumber', 'applications.stage', 'applications.deadlineAt', 'stations.code as pickupStationCode', 'stations.name as pickupStationName');
}
