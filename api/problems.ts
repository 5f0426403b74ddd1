import { isGrpcServiceError } from '@temporalio/client';
import { z } from 'zod';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../config/logger';
import { languageOf, localized, stillInProgressIn } from './problemText';

/**
 * One small hierarchy of HTTP problems (RFC 9457). Each knows its status and stable `code`;
 * the `type` URI is derived from the code so clients can branch on either.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toJSON() {
    return { type: `https://id-cards.example.gov.cn/problems/${this.code}`, title: this.title, status: this.status, detail: this.message, code: this.code, ...this.extra };
  }
}

/** The 202 answer of a step (or an acceptance) the workflow has not finished in time. */
export const stillInProgressSchema = z.object({ applicationId: z.uuid(), inProgress: z.literal(true), detail: z.string() });

/**
 * Not a problem: the application's workflow took the request and has not finished it within the
 * wait; it goes on by itself (the engine retries a failing activity until it succeeds). Answered 202
 * with the application's location, so the caller reads it rather than sending the request again.
 */
export class StillInProgress extends Error {
  readonly code = 'still_in_progress';
  constructor(
    readonly applicationId: string,
    readonly waitedMs: number,
  ) {
    super(`The workflow took the request and has not finished it within ${Math.round(waitedMs / 1000)} s; it goes on by itself. Read the application to see the outcome before sending this again.`);
  }
}

export interface FieldError {
  field: string;
  message: string;
  /** A stable code for what is wrong with this field, e.g. `invalid_id_number`, `too_small`, `unknown_field`. */
  code?: string;
}

/** What a client is told to wait while the database or the workflow engine is away. */
const RETRY_AFTER_OUTAGE_SECONDS = 5;

export const problems = {
  validation: (errors: FieldError[]) =>
    new Problem(400, 'validation_failed', 'The request is not valid', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors }),
  badRequest: (code: string, detail: string) => new Problem(400, code, 'The request is not valid', detail),
  unauthenticated: () => new Problem(401, 'unauthenticated', 'Authentication required', 'Send Authorization: Bearer <token> with a valid token.'),
  forbiddenRole: (allowed: readonly string[]) =>
    new Problem(403, 'forbidden_role', 'Not allowed for this role', `Only ${allowed.join(', ')} may do this.`),
  forbiddenJurisdiction: (detail: string) => new Problem(403, 'forbidden_jurisdiction', 'Outside your jurisdiction', detail),
  notFound: (what: string) => new Problem(404, 'not_found', 'Not found', `${what} was not found.`),
  conflict: (code: string, detail: string, extra: Record<string, unknown> = {}) => new Problem(409, code, 'Conflict with the current state', detail, extra),
  refused: (code: string, detail: string, extra: Record<string, unknown> = {}) => new Problem(422, code, 'Refused', detail, extra),
  tooManyRequests: (retryAfterSeconds: number) =>
    new Problem(429, 'rate_limited', 'Too many requests', `Slow down; retry after ${retryAfterSeconds} s.`, { retryAfterSeconds }),
  unavailable: (detail: string, retryAfterSeconds = RETRY_AFTER_OUTAGE_SECONDS) =>
    new Problem(503, 'service_unavailable', 'Service unavailable', detail, { retryAfterSeconds }),
  workflowPending: (waitedMs: number) =>
    new Problem(503, 'workflow_pending', 'Still in progress', `Another request for this person is still being processed after ${Math.round(waitedMs / 1000)} s; nothing was written for this one. Try again shortly.`, { retryAfterSeconds: RETRY_AFTER_OUTAGE_SECONDS }),
  cardNotFound: () => new Problem(404, 'card_not_found', 'Not found', 'No card with this citizen number and validity start is on record.'),
  invalidCredentials: () => new Problem(401, 'invalid_credentials', 'Login failed', 'The username or the password is wrong.'),
  accountLocked: (retryAfterSeconds: number) =>
    new Problem(429, 'account_locked', 'Account locked', `Too many failed logins; try again in ${Math.ceil(retryAfterSeconds / 60)} min or ask an administrator.`, { retryAfterSeconds }),
  csrfFailed: () => new Problem(403, 'csrf_failed', 'Request not trusted', 'Send the session\'s X-CSRF-Token header with every change made from the console.'),
  unsupportedMediaType: (expected: string) => new Problem(415, 'unsupported_media_type', 'Unsupported media type', `Send the body as ${expected}.`),
};

export const notFoundRoute: RequestHandler = (req, _res, next) => next(problems.notFound(`${req.method} ${req.path}`));

/**
 * The one error middleware: problems as they are, body-parser errors as 400, everything else a bare
 * 500; and a step still in progress as 202 (RFC 9110: accepted, not yet completed). Each in the
 * caller's language.
 */
export function problemResponder(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof StillInProgress) {
      const language = languageOf(req);
      res.status(202).location(`/v1/applications/${error.applicationId}`).setHeader('content-language', language);
      res.setHeader('vary', 'Accept-Language');
      res.json({ applicationId: error.applicationId, inProgress: true, detail: stillInProgressIn(error, language) } satisfies z.output<typeof stillInProgressSchema>);
      return;
    }
    const problem = toProblem(error);
    const log = (req as { log?: Logger }).log ?? logger;
    if (problem.status === 503) log.warn({ err: error }, 'dependency unavailable');
    else if (problem.status >= 500) log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    const retryAfter = problem.extra.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
    const language = languageOf(req);
    res.status(problem.status).type('application/problem+json').setHeader('content-language', language);
    res.setHeader('vary', 'Accept-Language');
    res.send(JSON.stringify(localized(problem, language)));
  };
}

function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const status = (error as { status?: number; type?: string }).status;
  const type = (error as { type?: string }).type;
  if (type === 'entity.parse.failed') return problems.badRequest('malformed_json', 'The body is not valid JSON.');
  if (type === 'entity.too.large') return new Problem(413, 'payload_too_large', 'Payload too large', 'The body is too large.');
  if (typeof status === 'number' && status >= 400 && status < 500) return problems.badRequest('bad_request', 'The request could not be read.');
  if (isOutage(error)) return problems.unavailable('The database or the workflow engine is not reachable right now. Try again shortly; after a change request, read the resource first.');
  return new Problem(500, 'internal_error', 'Internal error', 'Something went wrong on our side; it has been logged.');
}

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * The database or the workflow engine could not be reached (as opposed to a bug): the client
 * gets 503 with Retry-After. PostgreSQL connection SQLSTATE classes 08 (connection), 53
 * (resources) and 57P (shutdown); pg's own "Connection terminated" (it carries no code); knex's
 * pool timeout; gRPC UNAVAILABLE or DEADLINE_EXCEEDED from Temporal, possibly wrapped as a cause.
 */
export function isOutage(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const { code, name, message, cause } = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'KnexTimeoutError') return true;
  if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || /^(08|53|57P)/.test(code))) return true;
  // knex prefixes a failed query's message with its SQL: "<sql> - Connection terminated …".
  if (typeof message === 'string' && /(^| - )Connection terminated/.test(message)) return true;
  if (isGrpcServiceError(error) && (error.code === GRPC_UNAVAILABLE || error.code === GRPC_DEADLINE_EXCEEDED)) return true;
  return isOutage(cause, depth + 1);
}

/** PostgreSQL `unique_violation` (23505), told by its SQLSTATE, never by message text. */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';
