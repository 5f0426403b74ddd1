import { Router } from 'express';
import { z } from 'zod';
import { findApplicantStatus } from '../../db/queries/applicantStatus';
import type { AppDependencies } from '../app';
import { anonymousLookup } from '../anonymousLookupLimit';
import { problems } from '../problems';
import { mount, operationsWith } from '../operation';
import { idNumberField } from '../validation';
import { APPLICATION_STAGES, type ApplicationStage } from '../../domain';
import { instant, receiptNumber } from '../answers';

/** The receipt number as printed, `YYMMDD-NNNNNNN`; spaces and a missing dash are forgiven. */
export const receiptNumberField = z
  .string({ error: 'must be the receipt number given at acceptance' })
  .transform((value) => value.replace(/\s+/g, ''))
  .transform((value) => (/^\d{13}$/.test(value) ? `${value.slice(0, 6)}-${value.slice(6)}` : value))
  .refine((value) => /^\d{6}-\d{7}$/.test(value), 'must be the receipt number given at acceptance (YYMMDD-NNNNNNN)');

/** Either the receipt number (受理回执号) or the application's UUID, with the applicant's citizen number. */
export const applicantStatusRequest = z
  .strictObject({
    applicationId: z.uuid({ error: 'must be the application number given at acceptance' }).optional(),
    receiptNumber: receiptNumberField.optional(),
    idNumber: idNumberField,
  })
  .refine((body) => (body.applicationId === undefined) !== (body.receiptNumber === undefined), { message: 'give either receiptNumber or applicationId', path: ['receiptNumber'] });

/** What the applicant learns: the stage, the deadline and where to pick the card up; nothing more. */
export const applicantStatusSchema = z.object({
  applicationId: z.uuid(),
  receiptNumber,
  stage: z.enum(APPLICATION_STAGES),
  deadlineAt: instant,
  pickupStation: z.object({ code: z.string(), name: z.string() }),
});

/**
 * `POST /v1/application-status`: an applicant, without logging in, asks how far their application
 * has come. Both the application's number (its receipt number, or its UUID) and the citizen number must match; anything else reads
 * "not found", so the route tells a guesser nothing. The answer holds the stage, the deadline and
 * the pickup station, nothing more. Rate-limited per client address. POST, not GET, so that the
 * citizen number stays out of URLs and access logs.
 */
export const APPLICANT_STATUS_OPERATIONS = [
  operationsWith<AppDependencies>()({
    method: 'post',
    path: '/v1/application-status',
    summary: 'Applicant status lookup without login: stage, deadline, pickup station',
    ...anonymousLookup,
    body: applicantStatusRequest,
    response: applicantStatusSchema,
    handle: async ({ body: { applicationId, receiptNumber, idNumber }, res }, { db }) => {
      const status = await findApplicantStatus(db, applicationId ? { applicationId } : { receiptNumber: receiptNumber! }, idNumber);
      if (!status) throw problems.notFound('An application with this number for this citizen number');
      res.set('cache-control', 'no-store').json({
        applicationId: status.applicationId,
        receiptNumber: status.receiptNumber,
        stage: status.stage as ApplicationStage,
        deadlineAt: status.deadlineAt.toISOString(),
        pickupStation: { code: status.pickupStationCode, name: status.pickupStationName },
      } satisfies z.output<typeof applicantStatusSchema>);
    },
  }),
];

/** Mounted on the app itself, ahead of authentication. */
export const applicantStatusRoutes = (deps: AppDependencies): Router => mount(Router(), APPLICANT_STATUS_OPERATIONS, deps, '');
