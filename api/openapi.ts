import { Router } from 'express';
import { z } from 'zod';
import * as applicantStatus from './applicantStatus/routes';
import * as applications from './applications/routes';
import * as importApplications from './applications/importApplications';
import * as blacklist from './blacklist/routes';
import * as cardStatusFeed from './cardStatusFeed/routes';
import * as foundCards from './foundCards/routes';
import * as impersonation from './impersonationReports/routes';
import * as lossReports from './lossReports/routes';
import * as lostCardInquiry from './lostCardInquiry/routes';
import * as notifications from './notifications/routes';
import * as stats from './stats/routes';
import * as stuckApplications from './stuckApplications/routes';
import * as temporaryCertificates from './temporaryCertificates/routes';
import * as verifications from './verifications/routes';
import * as worklists from './worklists/routes';
import { codeLabels, statusTitles } from './problemText';
import { acceptedSchema } from './applications/accept';
import { applicationViewSchema } from './applications/views';
import { applicantStatusSchema } from './applicantStatus/routes';
import { blacklistEntrySchema } from './blacklist/blacklist';
import { cardStatusEventsSchema } from './cardStatusFeed/routes';
import { closedFoundCardSchema, foundCardSchema, handedInSchema, inquiryAnswerSchema } from './foundCards/foundCards';
import { listedFoundCardSchema } from './foundCards/routes';
import { healthSchema } from './health';
import { impersonationReportedSchema, impersonationReportSchema } from './impersonationReports/impersonationReports';
import { listedLossReportSchema, lossReportSchema } from './lossReports/routes';
import { takenLossReportSchema } from './lossReports/reportLoss';
import { withdrawnLossReportSchema } from './lossReports/withdrawLossReport';
import { lostCardAnswerSchema } from './lostCardInquiry/routes';
import { deadLetterSchema, inboxMessageSchema, retriedDeadLetterSchema, unreadCountSchema } from './notifications/routes';
import { pageSchema } from './paging';
import { stillInProgressSchema } from './problems';
import { misroutedArrivalSchema, statsSchema } from './applications/routes';
import { daysRemainingSchema, onTimeByWeekSchema } from './stats/routes';
import { closedStuckApplicationSchema, stuckApplicationSchema } from './stuckApplications/stuckApplications';
import { certificateVerificationSchema, issuedCertificateSchema } from './temporaryCertificates/temporaryCertificates';
import { verificationAnswerSchema } from './verifications/verify';
import { printingPageSchema } from './worklists/routes';

type Method = 'get' | 'post' | 'delete';

/** One operation of the API, described with the very schemas its handler parses. */
interface Operation {
  method: Method;
  path: string;
  summary: string;
  /** Who may call it; empty: no login. */
  roles: string[];
  body?: z.ZodType;
  query?: z.ZodObject;
  /** The success status when it is not 200. */
  status?: number;
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

const ANYONE: string[] = [];
const summaryLine = (counts: string[]) => ({ type: 'object', required: ['summary'], properties: { summary: { type: 'object', properties: Object.fromEntries(counts.map((name) => [name, { type: 'integer' }])) } } });
const IN_LANGUAGE = "in the caller's language (Accept-Language: zh-CN, the default, or en), as a problem's detail";
const LOSS_REPORT_IMPORT_OUTCOME = {
  oneOf: [
    { type: 'object', required: ['line', 'ok'], properties: { line: { type: 'integer' }, ok: { const: true }, status: { enum: ['imported', 'already_imported'] }, lossReportId: { type: 'string', format: 'uuid' } } },
    {
      type: 'object',
      required: ['line', 'ok', 'code', 'detail'],
      description:
        "Refused, as POST /v1/loss-reports refuses (the same rules, on the report's own day): card_not_found, name_mismatch, fingerprint_check_required, fingerprint_mismatch, reported_before_valid_from (with cardValidFrom), already_reported_lost, card_not_active (superseded, expired or destroyed; with cardStatus); the line itself: unknown_region, unknown_station (with field), forbidden_jurisdiction, validation_failed (with errors), invalid_id_number, malformed_json, line_too_long",
      properties: { line: { type: 'integer' }, ok: { const: false }, code: { type: 'string', pattern: '^[a-z_]+$' }, detail: { type: 'string', description: IN_LANGUAGE } },
    },
    summaryLine(['lines', 'imported', 'alreadyImported', 'failed']),
  ],
};
const APPLICATION_IMPORT_OUTCOME = {
  oneOf: [
    { type: 'object', required: ['line', 'status', 'applicationId', 'receiptNumber'], properties: { line: { type: 'integer' }, status: { enum: ['imported', 'already_imported'] }, applicationId: { type: 'string', format: 'uuid' }, receiptNumber: { type: 'string', pattern: '^\\d{6}-\\d{7}$' } } },
    {
      type: 'object',
      required: ['line', 'status', 'code', 'message'],
      description:
        'Refused: unknown_citizen, name_mismatch, refused_blacklisted, refused_no_fingerprints, station_not_allowed, duplicate_application, unknown_station (with field), accepted_at_out_of_range, stage_facts_invalid, valid_from_out_of_range, valid_until_mismatch (with earliest, latest, expectedValidUntil), extension_invalid, validation_failed (with errors), invalid_id_number, malformed_json, line_too_long. The import\'s own checks name the rule in reason',
      properties: {
        line: { type: 'integer' },
        status: { const: 'refused' },
        code: { type: 'string', pattern: '^[a-z_]+$' },
        message: { type: 'string', description: IN_LANGUAGE },
        reason: {
          description: 'accepted_at_out_of_range, stage_facts_invalid, extension_invalid and the printed card\'s refusals: which rule',
          enum: [
            'accepted_in_future',
            'accepted_too_long_ago',
            'printed_unexpected',
            'printed_missing',
            'tracking_number_missing',
            'tracking_number_unexpected',
            'ready_for_pickup_at_missing',
            'ready_for_pickup_at_unexpected',
            'ready_for_pickup_at_out_of_range',
            'temporary_card_issued_out_of_range',
            'valid_from_out_of_range',
            'valid_until_mismatch',
            'extension_already_granted',
            'extension_too_long',
            'extension_invalid_days',
            'extension_reason_required',
          ],
        },
        stage: { type: 'string', description: 'the line\'s stage, for stage_facts_invalid' },
      },
    },
    summaryLine(['lines', 'imported', 'alreadyImported', 'refused']),
  ],
};
/** The answers' shared views, by the name they carry in components.schemas. */
const applicationPage = pageSchema(applicationViewSchema);
const NAMED_ANSWERS: Array<[string, z.ZodType]> = [
  ['Application', applicationViewSchema],
  ['ApplicationPage', applicationPage],
  ['Accepted', acceptedSchema],
  ['TakenLossReport', takenLossReportSchema],
  ['StillInProgress', stillInProgressSchema],
  ['BlacklistEntry', blacklistEntrySchema],
  ['ImpersonationReport', impersonationReportSchema],
  ['FoundCard', foundCardSchema],
  ['ClosedFoundCard', closedFoundCardSchema],
  ['InboxMessage', inboxMessageSchema],
];
const VIEWERS = ['station', 'reviewer', 'production', 'manager'];
const STEP_ANSWERS = [202, 404, 409, 422];
const step = (path: string, summary: string, roles: string[], body: z.ZodType, accepted?: z.ZodType): Operation => ({
  method: 'post',
  path: `/v1/applications/{id}/${path}`,
  summary,
  roles,
  body,
  other: STEP_ANSWERS,
  response: applicationViewSchema,
  ...(accepted ? { accepted } : {}),
});

const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/v1/applications',
    summary: 'Accept an application at a station; a replacement (a lost card) answers the loss report it made',
    roles: ['station'],
    body: applications.acceptance,
    status: 201,
    idempotencyKey: true,
    other: [200, 202, 409, 422],
    response: acceptedSchema,
  },
  { method: 'get', path: '/v1/applications', summary: "The caller's applications, newest first, cursor-paged", roles: VIEWERS, query: applications.listing, response: applicationPage },
  { method: 'get', path: '/v1/applications/{id}', summary: "The case file: stage history with who acted, deadline, overdue; the person (citizen number in full for the accepting station and home-region reviewers, masked for others; phone masked), the request's facts, temporary card, extension, print failures with reasons, misroutes; places by name", roles: VIEWERS, other: [404], response: applicationViewSchema },
  { method: 'post', path: '/v1/application-search', summary: "The person's applications within the caller's jurisdiction, newest first, any stage (the citizen number in the body, never in a URL)", roles: VIEWERS, body: applications.search, response: applicationPage },
  ...Object.entries(worklists.WORKLISTS).map(([name, list]): Operation => ({ method: 'get', path: `/v1/worklists/${name}`, summary: list.summary, roles: list.roles, query: worklists.worklistQuery, response: name === 'printing' ? printingPageSchema : applicationPage })),
  step('review', 'Home-region review decision', ['reviewer'], applications.review),
  step('extend', 'Grant the one extension of at most 30 days', ['reviewer'], applications.extension),
  step('temporary-card-issued', 'The home county issued the temporary card', ['reviewer'], applications.nothing),
  step('printed', "The production centre printed the card. validFrom (the issue date) lies between the acceptance day and today, China's dates; validUntil follows the holder's age on it (under 16: 5 years, 16–25: 10, 26–45: 20, 46+: long-term, null). Either may be omitted and is then derived (validFrom: today); sent, they must agree (422 valid_from_out_of_range, valid_until_mismatch, valid_from_not_after_existing_card). The answer's newCard holds the dates to print", ['production'], applications.printed),
  step('print-failed', 'Printing failed; the card is reprinted up to the limit', ['production'], applications.reasonOnly),
  step('dispatched', 'The card left the production centre', ['production'], applications.dispatched),
  step('arrived', 'The card arrived at a station (elsewhere than the accepting station, which names the parcel\'s trackingNumber: misrouted, re-sent)', ['station'], applications.arrival, z.union([misroutedArrivalSchema, stillInProgressSchema])),
  step('picked-up', 'The applicant collected the card', ['station'], applications.pickedUp),
  step('withdraw', 'The applicant withdrew before printing', ['station'], applications.reasonOnly),
  { method: 'get', path: '/v1/overdue', summary: 'Overdue applications, most overdue first', roles: ['manager'], query: applications.overdueListing, response: applicationPage },
  { method: 'get', path: '/v1/stats', summary: 'Counts per stage, on-time rate, days per stage', roles: ['manager'], query: applications.statsQuery, response: statsSchema },
  { method: 'get', path: '/v1/stats/on-time-by-week', summary: 'On-time rate week by week (China weeks, Monday first; the current week so far): applications ready for pickup each week and how many by their deadline', roles: ['manager'], query: stats.weeklyQuery, response: onTimeByWeekSchema },
  { method: 'get', path: '/v1/stats/days-remaining', summary: 'Open applications not yet ready for pickup by days left to the deadline (overdue, 0–7, 8–15, 16–30, 31–60, 61+)', roles: ['manager'], query: stats.dashboardQuery, response: daysRemainingSchema },
  { method: 'get', path: '/v1/stats/stations/{code}/open-applications', summary: "A station's open applications not yet ready for pickup, soonest deadline (so the overdue) first, cursor-paged", roles: ['manager'], query: stats.drillDownQuery, other: [404], response: applicationPage },
  { method: 'get', path: '/v1/stuck-applications', summary: 'Open applications whose workflow was lost and could not be restarted, with the reason; longest stuck first', roles: ['manager', 'admin'], query: stuckApplications.stuckListing, response: pageSchema(stuckApplicationSchema) },
  { method: 'post', path: '/v1/stuck-applications/{id}/close', summary: 'Close a stuck application with a reason (stage CLOSED); the person may apply again', roles: ['manager', 'admin'], body: stuckApplications.closure, other: [404, 409], response: closedStuckApplicationSchema },
  { method: 'post', path: '/v1/application-status', summary: 'Applicant status lookup without login: stage, deadline, pickup station', roles: ANYONE, body: applicantStatus.applicantStatusRequest, other: [404, 429], response: applicantStatusSchema },
  {
    method: 'post',
    path: '/v1/loss-reports',
    summary: "Report a card lost or stolen; it reads invalid at once (409 already_reported_lost, card_not_active for a card superseded, expired or destroyed; 422 reported_before_valid_from for a card not yet issued)",
    roles: ['station'],
    body: lossReports.lossReport,
    status: 201,
    other: [404, 409, 422],
    response: takenLossReportSchema,
  },
  { method: 'post', path: '/v1/loss-reports/import', summary: 'Bulk import of old loss reports for the importer\'s region (NDJSON in, NDJSON outcome per line out; over the size or line limit: 413)', roles: ['loss_report_importer'], other: [413], ndjson: { line: lossReports.lossReportImportLine, outcome: LOSS_REPORT_IMPORT_OUTCOME } },
  {
    method: 'post',
    path: '/v1/applications/import',
    summary:
      "Go-live import of the old systems' applications in flight (NDJSON in, one application per line; NDJSON out, one outcome per line, then a summary; over 4 MiB or 2,000 lines: 413). Each line is checked as acceptance checks the person on its acceptance day, and its stage's facts; it becomes a workflow at its stage whose deadline counts from acceptedAt (not in the future; at most 90 days back unless already overdue). The same externalReference again: already_imported. A refused line writes nothing",
    roles: ['admin'],
    other: [413, 415],
    ndjson: { line: importApplications.applicationImportLine, outcome: APPLICATION_IMPORT_OUTCOME },
  },
  { method: 'get', path: '/v1/loss-reports', summary: "Loss reports newest first, cursor-paged: a station's taken at its counter (citizen number in full), a manager's those of the region's stations (masked), narrowed by regionCode or stationCode; state open, withdrawn or all (default)", roles: ['station', 'manager', 'admin'], query: lossReports.lossReportListing, other: [404], response: pageSchema(listedLossReportSchema) },
  { method: 'get', path: '/v1/loss-reports/{id}', summary: 'One loss report', roles: ['station', 'manager', 'admin'], other: [404], response: lossReportSchema },
  { method: 'post', path: '/v1/loss-reports/{id}/withdraw', summary: 'Withdraw a loss report (the authority that took it)', roles: ['station'], body: lossReports.withdrawal, other: [404, 409], response: withdrawnLossReportSchema },
  { method: 'post', path: '/v1/verifications', summary: 'Is this card valid? Nothing else about the person', roles: ['unit'], body: verifications.verificationRequest, other: [429], response: verificationAnswerSchema },
  { method: 'post', path: '/v1/found-cards', summary: 'A found card handed in, with its disposition', roles: ['station'], body: foundCards.handedIn, status: 201, other: [404, 409], response: handedInSchema },
  { method: 'get', path: '/v1/found-cards', summary: "Found cards newest first, cursor-paged: those a station holds (state HELD, the default; or RETURNED, DESTROYED, all), citizen number in full; a manager's of the region's stations, masked, narrowed by regionCode or stationCode", roles: ['station', 'manager', 'admin'], query: foundCards.foundCardListing, other: [404], response: pageSchema(listedFoundCardSchema) },
  { method: 'post', path: '/v1/found-cards/inquiries', summary: "An owner asks whether their card was handed in", roles: ['station'], body: foundCards.inquiry, other: [404, 422], response: inquiryAnswerSchema },
  { method: 'post', path: '/v1/found-cards/{id}/return', summary: 'A found card returned to its owner', roles: ['station'], body: foundCards.optionalNote, other: [404, 409], response: closedFoundCardSchema },
  { method: 'post', path: '/v1/found-cards/{id}/destroy', summary: 'A found card destroyed', roles: ['station'], body: foundCards.optionalNote, other: [404, 409], response: closedFoundCardSchema },
  { method: 'post', path: '/v1/blacklist', summary: 'Add a person to the blacklist', roles: ['manager', 'admin'], body: blacklist.addition, status: 201, other: [409], response: blacklistEntrySchema },
  { method: 'get', path: '/v1/blacklist', summary: "Blacklist entries newest first, cursor-paged, with the person's name (a regional manager: people registered in the region); state active (default), removed or all", roles: ['manager', 'admin'], query: blacklist.listing, response: pageSchema(blacklist.listedBlacklistEntrySchema) },
  { method: 'get', path: '/v1/blacklist/{id}', summary: 'One blacklist entry', roles: ['manager', 'admin'], other: [404], response: blacklistEntrySchema },
  { method: 'delete', path: '/v1/blacklist/{id}', summary: 'Remove a blacklist entry, with a reason', roles: ['admin'], body: blacklist.removal, other: [404, 409], response: blacklistEntrySchema },
  { method: 'post', path: '/v1/impersonation-reports', summary: 'A card-using unit reports impersonation', roles: ['unit'], body: impersonation.report, status: 201, response: impersonationReportedSchema },
  { method: 'get', path: '/v1/impersonation-reports', summary: 'Impersonation reports for managers', roles: ['manager', 'admin'], query: impersonation.listing, response: pageSchema(impersonationReportSchema) },
  { method: 'post', path: '/v1/impersonation-reports/{id}/confirm', summary: 'Confirm a report into the blacklist', roles: ['manager', 'admin'], body: impersonation.confirmation, other: [404, 409], response: impersonationReportSchema },
  { method: 'post', path: '/v1/impersonation-reports/{id}/dismiss', summary: 'Dismiss a report', roles: ['manager', 'admin'], body: impersonation.dismissal, other: [404, 409], response: impersonationReportSchema },
  { method: 'get', path: '/v1/inbox', summary: "The caller's inbox (station, reviewer, production centre, manager), newest first, with the unread count", roles: ['station', 'reviewer', 'production', 'manager'], query: notifications.inboxListing, response: notifications.inboxPageSchema },
  { method: 'get', path: '/v1/inbox/unread-count', summary: 'Unread messages in the caller\'s inbox', roles: ['station', 'reviewer', 'production', 'manager'], response: unreadCountSchema },
  { method: 'post', path: '/v1/inbox/{id}/read', summary: 'Mark an inbox message read', roles: ['station', 'reviewer', 'production', 'manager'], other: [404], response: inboxMessageSchema },
  { method: 'get', path: '/v1/notifications/dead-letters', summary: 'Notifications that could not be delivered after every attempt', roles: ['admin'], query: notifications.deadLetterListing, response: pageSchema(deadLetterSchema) },
  { method: 'post', path: '/v1/notifications/dead-letters/{id}/retry', summary: 'Queue a dead letter for delivery again', roles: ['admin'], status: 202, other: [404], response: retriedDeadLetterSchema },
  { method: 'get', path: '/v1/card-status-events', summary: 'The card-status feed: events after `after` in increasing seq, long-polling up to `wait` s; ask again from nextAfter', roles: ['platform', 'admin'], query: cardStatusFeed.feedQuery, response: cardStatusEventsSchema },
  { method: 'post', path: '/v1/temporary-certificates', summary: 'A police post issues a temporary identity certificate (临时身份证明)', roles: ['police_post'], body: temporaryCertificates.issuance, status: 201, other: [404, 422], response: issuedCertificateSchema },
  { method: 'post', path: '/v1/certificate-verifications', summary: 'Is this temporary identity certificate valid for this name?', roles: ['unit', 'police_post'], body: temporaryCertificates.certificateCheck, response: certificateVerificationSchema },
  { method: 'post', path: '/v1/lost-card-inquiries', summary: 'A citizen asks without login whether a handed-in card is held and where', roles: ANYONE, body: lostCardInquiry.lostCardInquiry, other: [404, 429], response: lostCardAnswerSchema },
  { method: 'get', path: '/health', summary: 'API, database and workflow engine reachable (200) or not (503)', roles: ANYONE, response: healthSchema, unavailableAnswersBody: true },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics (served on METRICS_PORT only, never on the public port)', roles: ANYONE, text: { mediaType: 'text/plain', description: 'The Prometheus text exposition format' } },
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
function answerSchemas(operations: Operation[]) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of NAMED_ANSWERS) registry.add(schema, { id });
  const name = (operation: Operation, suffix = '') =>
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

function operationObject(operation: Operation, ref: (schema: z.ZodType) => object) {
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
