import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { idNumberField, nonEmptyText } from '../validation';
import { certificateVerificationSchema, issueCertificate, issuedCertificateSchema, verifyCertificate } from './temporaryCertificates';

export const issuance = z.strictObject({
  idNumber: idNumberField,
  name: nonEmptyText(50),
  fingerprintMatched: z.boolean({ error: 'must be true or false' }).optional(),
  photoMatched: z.boolean({ error: 'must be true or false' }).optional(),
});
export const certificateCheck = z.strictObject({
  certificateNumber: z.string({ error: 'must be a string' }).trim().regex(/^LS\d{14}$/, 'must be a certificate number, LS and 14 digits'),
  name: nonEmptyText(50),
});

const operation = operationsWith<AppDependencies>();

/** Temporary identity certificates (临时身份证明): issued by police posts, verified by units. */
export const TEMPORARY_CERTIFICATE_OPERATIONS = [
  operation({
    method: 'post',
    path: '/v1/temporary-certificates',
    summary: 'A police post issues a temporary identity certificate (临时身份证明)',
    roles: ['police_post'],
    body: issuance,
    status: 201,
    other: [404, 422],
    response: issuedCertificateSchema,
    handle: async ({ caller, body, res }, { db, config }) => {
      const issued = await issueCertificate(db, caller, body, { hours: config.TEMPORARY_CERTIFICATE_HOURS });
      res.status(201).json(issued);
    },
  }),
  operation({
    method: 'post',
    path: '/v1/certificate-verifications',
    summary: 'Is this temporary identity certificate valid for this name?',
    roles: ['unit', 'police_post'],
    body: certificateCheck,
    response: certificateVerificationSchema,
    handle: async ({ caller, body, res }, { db }) => {
      res.json(await verifyCertificate(db, caller, body));
    },
  }),
];

export const temporaryCertificateRoutes = (deps: AppDependencies): Router => mount(Router(), TEMPORARY_CERTIFICATE_OPERATIONS, deps);
