import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { CallerAs, Role } from '../db/users';
import { allow, userOf } from './auth';
import { problems } from './problems';
import { parse } from './validation';

/**
 * What the API document says of one endpoint: method, path (OpenAPI's form, `/v1/loss-reports/{id}`),
 * who may call it, the schemas it parses and answers with, and its statuses. The router and
 * `openapi.ts` read the same object.
 */
export interface Documented<R extends Role = Role, B extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodObject | undefined = z.ZodObject | undefined> {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  /** Who may call it; empty: no login. */
  roles: readonly R[];
  body?: B;
  query?: Q;
  /** The success status when it is not 200. */
  status?: number;
  /** Takes an `Idempotency-Key` header of 1 to 200 characters, checked before the body. */
  idempotencyKey?: boolean;
  /** Further answers a client must expect, beyond 400, 401, 403 and 503. */
  other?: number[];
  /** A bulk import: NDJSON in (each line this schema), NDJSON out (one outcome per line, then a summary). */
  ndjson?: { line: z.ZodType; outcome: object };
  /** The success answer's schema (also that of a 200 replay); declared beside the code that builds it. */
  response?: z.ZodType;
  /** A 202 answer's schema, where it is not a step still in progress. */
  accepted?: z.ZodType;
  /** Not JSON: the success answer's media type and what it holds. */
  text?: { mediaType: string; description: string };
  /** 503 answers the success answer's schema (the health check says what is down), not a problem. */
  unavailableAnswersBody?: boolean;
}

export type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler is given: the caller typed by the operation's roles, the parsed body and query. */
export interface Call<R extends Role, B, Q> {
  /** Undefined for an operation without login. */
  caller: [R] extends [never] ? undefined : CallerAs<R>;
  body: Parsed<B>;
  query: Parsed<Q>;
  params: Record<string, string>;
  /** The checked `Idempotency-Key`, for an operation that takes one. */
  idempotencyKey?: string;
  req: Request;
  res: Response;
}

/** An endpoint: its document and its handler, which answers through `res` (Express 5 passes its errors on). */
export interface Operation<D, R extends Role = Role, B extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodObject | undefined = z.ZodObject | undefined> extends Documented<R, B, Q> {
  /** Middleware ahead of the role check and parsing, made once per mount: a rate limit, a body parser of its own. */
  before?: (deps: D) => RequestHandler[];
  /** Where the body is read from, when not the JSON body alone. */
  bodyFrom?: (req: Request) => unknown;
  /** A problem in the query as a whole is labelled `(body)`: these endpoints always answered so, and clients see no change. */
  queryNamedBody?: boolean;
  handle(call: Call<R, B, Q>, deps: D): Promise<void>;
}

/** An operation of any roles and schemas, as `mount` and the API document take them. */
export type AnyOperation<D> = Operation<D, any, any, any>;

/**
 * The declaring function for endpoints whose handlers take dependencies `D`: the roles, body and
 * query schemas are inferred from the declaration, so the handler's caller, body and query are typed.
 */
export const operationsWith =
  <D>() =>
  <R extends Role = never, B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(operation: Operation<D, R, B, Q>): AnyOperation<D> =>
    operation;

/** OpenAPI's `{id}` as Express's `:id`, relative to where the router is mounted. */
function expressPath(path: string, mountedAt: string): string {
  if (!path.startsWith(mountedAt)) throw new Error(`${path} does not lie under ${mountedAt}`);
  return path.slice(mountedAt.length).replace(/\{(\w+)\}/g, ':$1');
}

/** Registers each operation on `router` (mounted at `mountedAt`): its middleware, the role check, the key, body and query parsed, then the handler. */
export function mount<D>(router: Router, operations: ReadonlyArray<AnyOperation<D>>, deps: D, mountedAt = '/v1'): Router {
  for (const operation of operations) {
    const handlers: RequestHandler[] = [...(operation.before?.(deps) ?? [])];
    if (operation.roles.length > 0) handlers.push(allow(...operation.roles));
    handlers.push(async (req, res) => {
      const idempotencyKey = operation.idempotencyKey ? idempotencyKeyOf(req) : undefined;
      const body = operation.body && parse(operation.body, operation.bodyFrom ? operation.bodyFrom(req) : req.body);
      const query = operation.query && parse(operation.query, req.query, operation.queryNamedBody ? 'body' : 'query');
      // The role check above makes the caller one of the operation's roles; none without login.
      const caller = operation.roles.length > 0 ? userOf(req) : undefined;
      await operation.handle({ caller, body, query, params: req.params as Record<string, string>, idempotencyKey, req, res } as Call<any, unknown, unknown>, deps);
    });
    router[operation.method](expressPath(operation.path, mountedAt), ...handlers);
  }
  return router;
}

/** @throws Problem 400 `invalid_idempotency_key` for an empty key or one over 200 characters. */
function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('Idempotency-Key')?.trim();
  if (key !== undefined && (key.length === 0 || key.length > 200)) throw problems.badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 characters.');
  return key;
}
