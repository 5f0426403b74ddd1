import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { instant } from '../answers';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import { isBlacklisted } from '../../db/queries/blacklist';
import { registeredName } from '../../db/queries/cardRegistry';
import type { User } from '../../db/users';
import { namesMatch } from '../../domain';
import { certificateValidUntil } from '../../domain/temporaryCertificates';
import { isUniqueViolation, Problem, problems } from '../problems';
import { chinaDate } from '../verifications/verify';

export interface IssueRequest {
  idNumber: string;
  name: string;
  fingerprintMatched?: boolean;
  photoMatched?: boolean;
}

/** A certificate as the issuing post is answered. */
export const issuedCertificateSchema = z.object({ certificateId: z.uuid(), certificateNumber: z.string().regex(/^LS\d{14}$/), issuedAt: instant, validUntil: instant });
export type IssuedCertificate = z.output<typeof issuedCertificateSchema>;

/** `LS` + the China date + 8 random digits: short enough to read out, not guessable in sequence. */
const newNumber = (at: Date) => `LS${chinaDate(at.getTime()).replaceAll('-', '').slice(2)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

/**
 * A police post checks a person without a card against the population registry and issues a
 * temporary identity certificate. The name must match the registry and the person's identity must
 * have been confirmed on the spot (fingerprint or photo). A card reported lost is no obstacle — that
 * is who needs one; a blacklisted person is refused.
 * @throws Problem 404 `unknown_citizen`; 422 `name_mismatch`, `identity_not_confirmed`, `refused_blacklisted`.
 */
export async function issueCertificate(db: Db, post: User, request: IssueRequest, options: { hours?: number }): Promise<IssuedCertificate> {
  const name = await registeredName(db, request.idNumber);
  if (name === undefined) throw new Problem(404, 'unknown_citizen', 'Not found', 'No such citizen in the population registry.');
  if (!namesMatch(request.name, name)) throw problems.refused('name_mismatch', 'The name does not match the population registry.');
  if (!request.fingerprintMatched && !request.photoMatched) throw problems.refused('identity_not_confirmed', 'Confirm the person by fingerprint or photo before issuing.');
  if (await isBlacklisted(db, request.idNumber)) throw problems.refused('refused_blacklisted', 'This person may not be issued a certificate here.');
  const issuedAt = new Date();
  const validUntil = certificateValidUntil(issuedAt, options.hours);
  const certificateId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    const number = newNumber(issuedAt);
    try {
      await db.transaction(async (trx) => {
        await trx('temporaryCertificates').insert({
          id: certificateId,
          number,
          idNumber: request.idNumber,
          issuedBy: post.id,
          issuingRegionCode: post.regionCode,
          identityCheck: request.fingerprintMatched ? 'fingerprint' : 'photo',
          issuedAt,
          validUntil,
        });
        await recordAudit(trx, { actor: post.id, action: 'temporary_certificate.issued', subjectType: 'temporary_certificate', subjectId: certificateId, at: issuedAt, details: { regionCode: post.regionCode, validUntil: validUntil.toISOString() } });
      });
      return { certificateId, certificateNumber: number, issuedAt: issuedAt.toISOString(), validUntil: validUntil.toISOString() };
    } catch (error) {
      // A number drawn twice: draw again.
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

/** Valid or not, and why not: nothing else about the person. */
export const certificateVerificationSchema = z.discriminatedUnion('result', [
  z.object({ result: z.literal('VALID'), validUntil: instant, checkedAt: instant }),
  z.object({ result: z.literal('INVALID'), reason: z.enum(['NOT_FOUND', 'NAME_MISMATCH', 'EXPIRED']), checkedAt: instant }),
]);
export type CertificateVerification = z.output<typeof certificateVerificationSchema>;

/**
 * A unit checks a certificate by its number and the holder's name: valid or not, and why not;
 * nothing else about the person. An unknown number and a wrong name read differently, as with cards.
 */
export async function verifyCertificate(db: Db, unit: User, request: { certificateNumber: string; name: string }): Promise<CertificateVerification> {
  const at = new Date();
  const checkedAt = at.toISOString();
  const certificate = await db('temporaryCertificates as c')
    .join('citizens', 'citizens.idNumber', 'c.idNumber')
    .where('c.number', request.certificateNumber)
    .first('c.id', 'c.validUntil', 'citizens.name');
  const answer: CertificateVerification = !certificate
    ? { result: 'INVALID', reason: 'NOT_FOUND', checkedAt }
    : !namesMatch(request.name, certificate.name)
      ? { result: 'INVALID', reason: 'NAME_MISMATCH', checkedAt }
      : certificate.validUntil.getTime() <= at.getTime()
        ? { result: 'INVALID', reason: 'EXPIRED', checkedAt }
        : { result: 'VALID', validUntil: certificate.validUntil.toISOString(), checkedAt };
  await recordAudit(db, { actor: unit.id, action: 'temporary_certificate.verified', subjectType: 'temporary_certificate', subjectId: certificate?.id ?? 'unknown', at, details: { result: answer.result, ...(answer.result === 'INVALID' ? { reason: answer.reason } : {}) } });
  return answer;
}
