import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { isCalendarDate, isValidIdNumber } from '../../domain';
import { problems, Problem } from '../problems';
import { calendarDateField, idNumberField, nonEmptyText, parse } from '../validation';
import { cardKey } from './cardFactsCache';
import type { Verifications } from './service';
import { answer, type VerificationAnswer } from './verify';

const MAX_BODY_BYTES = 4096;
const MAX_NAME = 50;

/** The contract's shape; used to explain what is wrong when the fast check below refuses a body. */
export const verificationRequest = z.strictObject({ idNumber: idNumberField, name: nonEmptyText(MAX_NAME), cardValidFrom: calendarDateField });
type VerificationRequest = z.infer<typeof verificationRequest>;

/**
 * `POST /v1/verifications`, mounted on the app itself ahead of every other route: each Express
 * layer costs throughput here. Authentication (cached by token), role, per-unit rate limit, a
 * small JSON body read without body-parser, the card facts from the cache (or one shared read),
 * the answer computed per request, a batched audit row, and the answer written directly.
 */
export function verificationRoute(verifications: Verifications, authenticate: RequestHandler): RequestHandler {
  const { cache, limiter, audit } = verifications;

  const respond = (res: Response, unitId: string, request: VerificationRequest, result: VerificationAnswer) => {
    audit.record({ unitId, idNumber: request.idNumber, cardValidFrom: request.cardValidFrom, result: result.result, reason: result.reason ?? null, checkedAt: result.checkedAt });
    const body = JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };

  const verify = (req: Request, res: Response, next: NextFunction, unitId: string) => {
    readSmallBody(req, (error, text) => {
      if (error) return next(error);
      let request: VerificationRequest;
      try {
        request = fastParse(text!) ?? parse(verificationRequest, JSON.parse(text!));
      } catch (error) {
        return next(error instanceof Problem ? error : problems.badRequest('malformed_json', 'The body is not valid JSON.'));
      }
      if (audit.full) return next(problems.unavailable('Verifications cannot be audited right now; nothing was answered.'));
      const key = cardKey(request.idNumber, request.cardValidFrom);
      const hit = cache.peek(key);
      if (hit) return respond(res, unitId, request, answer(hit.facts, request.name, Date.now()));
      cache.load(request.idNumber, request.cardValidFrom, key).then((facts) => respond(res, unitId, request, answer(facts, request.name, Date.now())), next);
    });
  };

  const limited = (req: Request, res: Response, next: NextFunction, unitId: string, rate: number) => {
    const wait = limiter.take(unitId, rate);
    if (wait > 0) {
      res.setHeader('retry-after', String(wait));
      return next(problems.tooManyRequests(wait));
    }
    verify(req, res, next, unitId);
  };

  return (req, res, next) => {
    authenticate(req, res, (error?: unknown) => {
      if (error) return next(error);
      const user = req.user!;
      if (user.role !== 'unit' || !user.unitId) return next(problems.forbiddenRole(['unit']));
      const unitId = user.unitId;
      const rate = limiter.rateOf(unitId);
      if (rate !== undefined) return limited(req, res, next, unitId, rate);
      limiter.ready(unitId).then(() => limited(req, res, next, unitId, limiter.rateOf(unitId)!), next);
    });
  };
}

/**
 * The common case without zod: a JSON object with exactly the three fields, all well-formed.
 * Undefined when anything is off; the caller then lets the schema say what.
 * @throws SyntaxError for text that is not JSON.
 */
function fastParse(text: string): VerificationRequest | undefined {
  const body: unknown = JSON.parse(text);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { idNumber, name, cardValidFrom } = body as Record<string, unknown>;
  if (typeof idNumber !== 'string' || typeof name !== 'string' || typeof cardValidFrom !== 'string') return undefined;
  if (Object.keys(body).length !== 3) return undefined;
  const number = idNumber.trim().toUpperCase();
  const trimmedName = name.trim();
  if (!isValidIdNumber(number) || trimmedName.length === 0 || trimmedName.length > MAX_NAME) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(cardValidFrom) || !isCalendarDate(cardValidFrom)) return undefined;
  return { idNumber: number, name: trimmedName, cardValidFrom };
}

/** Reads a JSON body of at most MAX_BODY_BYTES. */
function readSmallBody(req: IncomingMessage, done: (error: Problem | undefined, text?: string) => void): void {
  const type = req.headers['content-type'];
  if (!type || !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    return done(problems.unsupportedMediaType('application/json'));
  }
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) return done(tooLarge());
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: Problem | undefined, text?: string) => {
    if (finished) return;
    finished = true;
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onError);
    done(error, text);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume(); // discard the rest
      return finish(tooLarge());
    }
    chunks.push(chunk);
  };
  const onEnd = () => finish(undefined, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  const onError = () => finish(problems.badRequest('bad_request', 'The request body could not be read.'));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

const tooLarge = () => new Problem(413, 'payload_too_large', 'Payload too large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
