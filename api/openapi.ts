import { Router } from 'express';
import { z } from 'zod';
import { APPLICANT_STATUS_OPERATIONS } from './applicantStatus/routes';
import { APPLICATION_OPERATIONS } from './applications/routes';
import { BLACKLIST_OPERATIONS } from './blacklist/routes';
import { CARD_STATUS_FEED_OPERATIONS } from './cardStatusFeed/routes';
import { FOUND_CARD_OPERATIONS } from './foundCards/routes';
import { HEALTH_OPERATIONS } from './health';
import { IMPERSONATION_REPORT_OPERATIONS } from './impersonationReports/routes';
import { LOSS_REPORT_OPERATIONS } from './lossReports/routes';
import { LOST_CARD_INQUIRY_OPERATIONS } from './lostCardInquiry/routes';
import { METRICS_OPERATION } from './metrics';
import { NOTIFICATION_OPERATIONS } from './notifications/routes';
import type { Documented } from './operation';
import { STATS_OPERATIONS } from './stats/routes';
import { STUCK_APPLICATION_OPERATIONS } from './stuckApplications/routes';
import { TEMPORARY_CERTIFICATE_OPERATIONS } from './temporaryCertificates/routes';
import { VERIFICATION_OPERATION } from './verifications/routes';
import { WORKLIST_OPERATIONS } from './worklists/routes';
import { codeLabels, statusTitles } from './problemText';
import { acceptedSchema } from './applications/accept';
import { applicationPageSchema, applicationViewSchema } from './applications/views';
import { blacklistEntrySchema } from './blacklist/blacklist';
import { closedFoundCardSchema, foundCardSchema } from './foundCards/foundCards';
import { impersonationReportSchema } from './impersonationReports/impersonationReports';
import { takenLossReportSchema } from './lossReports/reportLoss';
import { inboxMessageSchema } from './notifications/routes';
import { stillInProgressSchema } from './problems';

/** Every operation, as each route module declares it beside its handler. */
const OPERATIONS: ReadonlyArray<Documented> = [
  ...APPLICATION_OPERATIONS,
  ...WORKLIST_OPERATIONS,
  ...STATS_OPERATIONS,
  ...STUCK_APPLICATION_OPERATIONS,
  ...APPLICANT_STATUS_OPERATIONS,
  ...LOSS_REPORT_OPERATIONS,
  VERIFICATION_OPERATION,
  ...FOUND_CARD_OPERATIONS,
  ...BLACKLIST_OPERATIONS,
  ...IMPERSONATION_REPORT_OPERATIONS,
  ...NOTIFICATION_OPERATIONS,
  ...CARD_STATUS_FEED_OPERATIONS,
  ...TEMPORARY_CERTIFICATE_OPERATIONS,
  ...LOST_CARD_INQUIRY_OPERATIONS,
  ...HEALTH_OPERATIONS,
  METRICS_OPERATION,
];

/** The answers' shared views, by the name they carry in components.schemas. */
const NAMED_ANSWERS: Array<[string, z.ZodType]> = [
  ['Application', applicationViewSchema],
  ['ApplicationPage', applicationPageSchema],
  ['Accepted', acceptedSchema],
  ['TakenLossReport', takenLossReportSchema],
  ['StillInProgress', stillInProgressSchema],
  ['BlacklistEntry', blacklistEntrySchema],
  ['ImpersonationReport', impersonationReportSchema],
  ['FoundCard', foundCardSchema],
  ['ClosedFoundCard', closedFoundCardSchema],
  ['InboxMessage', inboxMessageSchema],
];

/** Request schemas as JSON Schema 2020-12 (OpenAPI 3.1's dialect), as clients must send them. */
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

const OTHER_ANSWERS: Record<number, string> = {
  200: 'The same Idempotency-Key again: the application it made',
  202: 'Taken, not finished: the workflow has not finished within WORKFLOW_WAIT_MS and goes on by itself (read the application at Location); for arrived, the card reached another station: flagged misrouted and re-sent',
};
const OTHER_PROBLEMS: Record<number, string> = {
  404: 'No such resource (or, for the applicant status lookup, no match)',
  409: 'Conflicts with the current state (e.g. wrong_stage; duplicate_application with the applicationId and inProgress: the accepting station by name, stage and deadline; not_stuck)',
  422: 'Refused by the rules (e.g. refused_blacklisted, name_mismatch, idempotency_key_reused)',
  413: 'Too large (import_too_large, import_too_many_lines)',
  415: 'The body is not NDJSON (unsupported_media_type)',
  429: 'Too many requests; see Retry-After (retryAfterSeconds)',
};

const COMPONENT = '#/components/schemas/';

/**
 * The answers' schemas as JSON Schema 2020-12, each once in components.schemas: the shared views by
 * their names, every other answer by its operation's. Returns what an operation's answer refers to.
 */
function answerSchemas(operations: ReadonlyArray<Documented>) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of NAMED_ANSWERS) registry.add(schema, { id });
  const name = (operation: Documented, suffix = '') =>
    operation.method[0].toUpperCase() + operation.method.slice(1) + operation.path.split(/[^A-Za-z0-9]+/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('') + suffix;
  const register = (schema: z.ZodType | undefined, id: string) => {
    if (schema && !registry.has(schema)) registry.add(schema, { id });
  };
  for (const operation of operations) {
    register(operation.response, name(operation));
    register(operation.accepted, name(operation, 'Accepted'));
  }
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => COMPONENT + id,
    override: ({ jsonSchema }) => {
      // zod writes a pattern beside each format; the format says it. Answers may gain members (API.md: extend, never break).
      if (jsonSchema.format) delete jsonSchema.pattern;
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  for (const schema of Object.values(schemas)) {
    delete schema.$id;
    delete schema.$schema;
  }
  const ref = (schema: z.ZodType) => ({ $ref: COMPONENT + registry.get(schema)!.id });
  return { schemas, ref };
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: `${COMPONENT}Problem` } } } });

function operationObject(operation: Documented, ref: (schema: z.ZodType) => object) {
  const parameters: object[] = [];
  for (const [, name] of operation.path.matchAll(/\{(\w+)\}/g)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  if (operation.idempotencyKey) parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 200 }, description: 'The same key again returns the same application.' });
  if (operation.query) {
    const properties = (jsonSchema(operation.query) as { properties?: Record<string, object> }).properties ?? {};
    for (const [name, schema] of Object.entries(properties)) parameters.push({ name, in: 'query', required: false, schema });
  }
  const authenticated = operation.roles.length > 0;
  const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema: ref(schema) } } });
  /** A further answer: a replay (200) and a 202 have their schemas; the others are problems. */
  const further = (status: number) => {
    if (status === 200 && operation.response) return json(OTHER_ANSWERS[200], operation.response);
    if (status === 202) return json(OTHER_ANSWERS[202], operation.accepted ?? stillInProgressSchema);
    return problem(OTHER_PROBLEMS[status]);
  };
  const success = () => {
    if (operation.ndjson) return { description: 'Streamed as decided: one outcome per line, in line order, then a summary line', content: { 'application/x-ndjson': { schema: operation.ndjson.outcome } } };
    if (operation.text) return { description: operation.text.description, content: { [operation.text.mediaType]: { schema: { type: 'string' } } } };
    // Undeclared: the contract test (openapiResponses.test.ts) fails for it.
    return operation.response ? json('Done', operation.response) : { description: 'Done', content: { 'application/json': {} } };
  };
  return {
    summary: operation.summary,
    description: authenticated ? `Roles: ${operation.roles.join(', ')}.` : 'No login.',
    ...(authenticated ? {} : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body) } } } } : {}),
    ...(operation.ndjson
      ? { requestBody: { required: true, description: 'NDJSON: one JSON object per line, each of this schema (application/jsonl is taken too)', content: { 'application/x-ndjson': { schema: jsonSchema(operation.ndjson.line) } } } }
      : {}),
    responses: {
      [String(operation.status ?? 200)]: success(),
      '400': problem('The request is not valid; each bad field is listed with its own code (one bad citizen number alone: invalid_id_number; several fields: validation_failed)'),
      '405': problem('Method not allowed on this path (method_not_allowed); see Allow'),
      ...(authenticated ? { '401': problem('No valid bearer token'), '403': problem('Wrong role or outside the jurisdiction (forbidden_role, forbidden_jurisdiction; actor_not_allowed: the workflow found the account disabled or moved when it wrote the step, nothing changed)') } : {}),
      '503': operation.unavailableAnswersBody ? json('Something is down: which, in the body; see Retry-After', operation.response!) : problem('The database or the workflow engine is unreachable; see Retry-After'),
      ...Object.fromEntries((operation.other ?? []).map((status) => [String(status), further(status)])),
    },
  };
}

/** The OpenAPI 3.1 document, built once from the route schemas. */
export function openApiDocument() {
  const { schemas, ref } = answerSchemas(OPERATIONS);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) (paths[operation.path] ??= {})[operation.method] = operationObject(operation, ref);
  return {
    openapi: '3.1.0',
    info: { title: 'Resident ID card three systems', version: '1', description: 'Cross-region applications, loss reports with immediate invalidation, lost-and-found, and card verification. Every answer is declared: its status, media type and schema; every error is a Problem.' },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...schemas,
        Problem: {
          type: 'object',
          description:
            'RFC 9457 problem details with a stable machine code. title and detail follow Accept-Language: zh-CN (the default) or en; code never changes. x-code-labels: both titles of codes with their own; x-status-titles-zh-CN: the Chinese title of every other problem by status. Some problems carry the facts of the refusal beside these (e.g. applicationId and inProgress for duplicate_application, lossReportId, cardStatus, cardValidFrom).',
          'x-code-labels': codeLabels(),
          'x-status-titles-zh-CN': statusTitles(),
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer', minimum: 400, maximum: 599 },
            detail: { type: 'string' },
            code: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
            errors: {
              type: 'array',
              description: 'validation_failed: each bad field with its own code',
              items: {
                type: 'object',
                required: ['field', 'message'],
                properties: { field: { type: 'string', description: 'the field, or (body) / (query) for the part as a whole' }, message: { type: 'string' }, code: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' } },
              },
            },
            retryAfterSeconds: { type: 'integer', minimum: 0, description: 'sent with 429 and 503, as the Retry-After header says' },
          },
          if: { required: ['code'], properties: { code: { const: 'validation_failed' } } },
          then: { required: ['errors'] },
        },
      },
    },
  };
}

export function openApiRoutes(): Router {
  const body = JSON.stringify(openApiDocument());
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
