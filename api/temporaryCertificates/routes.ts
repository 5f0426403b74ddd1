import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { idNumberField, nonEmptyText, parse } from '../validation';
import { issueCertificate, verifyCertificate } from './temporaryCertificates';

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

/** Temporary identity certificates (临时身份证明): issued by police posts, verified by units. */
export function temporaryCertificateRoutes({ db, config }: AppDependencies): Router {
  const router = Router();

  router.post('/temporary-certificates', allow('police_post'), async (req, res) => {
    const issued = await issueCertificate(db, userOf(req), parse(issuance, req.body), { hours: config.TEMPORARY_CERTIFICATE_HOURS });
    res.status(201).json(issued);
  });

  router.post('/certificate-verifications', allow('unit', 'police_post'), async (req, res) => {
    res.json(await verifyCertificate(db, userOf(req), parse(certificateCheck, req.body)));
  });

  return router;
}
