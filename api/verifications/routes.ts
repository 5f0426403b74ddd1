import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { isCalendarDate, isValidIdNumber } from '../../domain';
import { problems, Problem } from '../problems';
import { calendarDateField, idNumberField, isCleanText, nonEmptyText, parse } from '../validation';
import { cardKey, type CachedFacts } from './cardFactsCache';
import type { Verifications } from './service';
import { answer, verificationAnswerSchema, type VerificationAnswer } from './verify';
import type { Documented } from '../operation';

const MAX_BODY_BYTES = 4096;
const MAX_NAME = 50;

/** The contract's shape; used to explain what is wrong when the fast check below refuses a body. */
export const verificationRequest = z.strictObject({ idNumber: idNumberField, name: nonEmptyText(MAX_NAME), cardValidFrom: calendarDateField });
type VerificationRequest = z.infer<typeof verificationRequest>;

/** The document of `verificationRoute`, which answers on its own fast path rather than through `mount`. */
export const VERIFICATION_OPERATION: Documented = {
  method: 'post',
  path: '/v1/verifications',
  summary: 'Is this card valid? Nothing else about the person',
  roles: ['unit'],
  body: verificationRequest,
  other: [429],
  response: verificationAnswerSchema,
};

/**
 * `POST /v1/verifications`, mounted on the app itself ahead of every other route: each Express
 * layer costs throughput here. Authentication (cached by header), role, per-unit rate limit, a
 * small JSON body read without body-parser, the card facts from the cache (or one shared read),
 * the answer computed per request, an audit row encoded for the next batch, and the answer
 * written directly.
 */
export function verificationRoute(verifications: Verifications, authenticate: RequestHandler): RequestHandler {
  const { cache, limiter, audit } = verifications;

  const respond = (res: Response, unitId: string, request: VerificationRequest, result: VerificationAnswer) => {
    audit.record({ unitId, idNumber: request.idNumber, cardValidFrom: request.cardValidFrom, result: result.result, reason: result.reason ?? null, checkedAt: result.checkedAt });
    const body = JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };

  const verify = (res: Response, next: NextFunction, unitId: string, text: string) => {
    let request: VerificationRequest;
    let hit: { facts: CachedFacts } | undefined;
    try {
      const body: unknown = JSON.parse(text);
      const common = commonShape(body);
      // A cached card's number and date were checked when it was read: only the name is left to check.
      hit = common && cache.peek(cardKey(common.idNumber, common.cardValidFrom));
      request = (hit ? withCheckedName(common!) : fastCheck(common)) ?? parse(verificationRequest, body);
    } catch (error) {
      return next(error instanceof Problem ? error : problems.badRequest('malformed_json', 'The body is not valid JSON.'));
    }
    if (audit.full) return next(problems.unavailable('Verifications cannot be audited right now; nothing was answered.'));
    if (hit) return respond(res, unitId, request, answer(hit.facts, request.name, Date.now()));
    const key = cardKey(request.idNumber, request.cardValidFrom);
    const cached = cache.peek(key);
    if (cached) return respond(res, unitId, request, answer(cached.facts, request.name, Date.now()));
    cache.load(request.idNumber, request.cardValidFrom, key).then((facts) => respond(res, unitId, request, answer(facts, request.name, Date.now())), next);
  };

  const admit = (req: Request, res: Response, next: NextFunction, unitId: string, rate: number) => {
    const wait = limiter.take(unitId, rate);
    if (wait > 0) return next(problems.tooManyRequests(wait)); // the error responder sets Retry-After
    readSmallBody(req, (error, text) => (error ? next(error) : verify(res, next, unitId, text!)));
  };

  return (req, res, next) => {
    authenticate(req, res, (error?: unknown) => {
      if (error) return next(error);
      const user = req.user!;
      if (user.role !== 'unit') return next(problems.forbiddenRole(['unit']));
      const unitId = user.unitId;
      const rate = limiter.rateOf(unitId);
      if (rate !== undefined) return admit(req, res, next, unitId, rate);
      limiter.ready(unitId).then(() => admit(req, res, next, unitId, limiter.rateOf(unitId)!), next);
    });
  };
}

/** A JSON object with exactly the three fields, all strings; undefined otherwise. */
function commonShape(body: unknown): VerificationRequest | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { idNumber, name, cardValidFrom } = body as Record<string, unknown>;
  if (typeof idNumber !== 'string' || typeof name !== 'string' || typeof cardValidFrom !== 'string') return undefined;
  if (Object.keys(body).length !== 3) return undefined;
  return { idNumber, name, cardValidFrom };
}

/** The request with its name trimmed, or undefined when the name is empty, too long or not clean text (the schema then says so). */
function withCheckedName(request: VerificationRequest): VerificationRequest | undefined {
  const name = request.name.trim();
  return name.length === 0 || name.length > MAX_NAME || !isCleanText(name) ? undefined : { idNumber: request.idNumber, name, cardValidFrom: request.cardValidFrom };
}

/**
 * The common case without zod: all three fields well-formed, the number normalised as the schema
 * does. Undefined when anything is off; the caller then lets the schema say what.
 */
function fastCheck(request: VerificationRequest | undefined): VerificationRequest | undefined {
  if (!request) return undefined;
  const idNumber = request.idNumber.trim().toUpperCase();
  const { cardValidFrom } = request;
  if (!isValidIdNumber(idNumber)) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(cardValidFrom) || !isCalendarDate(cardValidFrom)) return undefined;
  return withCheckedName({ idNumber, name: request.name, cardValidFrom });
}

/** Reads a JSON body of at most MAX_BODY_BYTES. */
function readSmallBody(req: IncomingMessage, done: (error: Problem | undefined, text?: string) => void): void {
  const type = req.headers['content-type'];
  if (!type || !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    return done(problems.unsupportedMediaType('application/json'));
  }
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) return done(tooLarge());
  // Usually the whole body is one chunk; the listeners die with the request.
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (error: Problem | undefined, text?: string) => {
    if (finished) return;
    finished = true;
    done(error, text);
  };
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume(); // discard the rest
      return finish(tooLarge());
    }
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  });
  req.on('end', () => finish(undefined, more ? Buffer.concat(more).toString('utf8') : (first?.toString('utf8') ?? '')));
  req.on('error', () => finish(problems.badRequest('bad_request', 'The request body could not be read.')));
}

const tooLarge = () => new Problem(413, 'payload_too_large', 'Payload too large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
