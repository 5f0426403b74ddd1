import { Router } from 'express';
import { z } from 'zod';
import { listFoundCards } from '../../db/queries/foundCards';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { cursor, pageOf, pageSchema } from '../paging';
import { personOnRecord, personOnRecordSchema, stationRecordFilter, stationRecordScope } from '../stationRecords';
import { calendarDate, instant } from '../answers';
import { CARD_STATUSES, FOUND_CARD_DISPOSITIONS, type CardStatus } from '../../domain';
import { calendarDateField, idNumberField, isInstant, isUuid, nonEmptyText } from '../validation';
import type { CardCacheInvalidator } from '../verifications/cardFactsCache';
import { closedFoundCardSchema, closeHeld, handedInSchema, handIn, inquire, inquiryAnswerSchema } from './foundCards';

export const handedIn = z.strictObject({ idNumber: idNumberField, cardValidFrom: calendarDateField });
export const inquiry = z.strictObject({ idNumber: idNumberField, name: nonEmptyText(50) });
export const optionalNote = z.strictObject({ note: nonEmptyText().optional() });
export const foundCardListing = z.strictObject({ state: z.enum(['HELD', 'RETURNED', 'DESTROYED', 'all'], { error: 'must be HELD, RETURNED, DESTROYED or all' }).default('HELD'), ...stationRecordFilter });

/** A found card as the station's (or a manager's) list shows it. */
export const listedFoundCardSchema = z.object({
  foundCardId: z.uuid(),
  handedInAt: instant,
  state: z.enum(['HELD', 'RETURNED', 'DESTROYED']),
  disposition: z.enum(FOUND_CARD_DISPOSITIONS),
  person: personOnRecordSchema,
  cardValidFrom: calendarDate,
  cardStatus: z.enum(CARD_STATUSES),
  handedInStation: z.object({ code: z.string(), name: z.string() }),
  closedAt: instant.nullable(),
  closedByStationCode: z.string().nullable(),
});

const PAGE = 50;
const isListingCursor = (value: any): value is { handedInAt: string; id: string } => isInstant(value?.handedInAt) && isUuid(value?.id);

export type FoundCardDeps = AppDependencies & { cache: CardCacheInvalidator };
const operation = operationsWith<FoundCardDeps>();

/** Lost-and-found (丢失招领): hand-in at any station, the owner's inquiry, return or destruction. */
export const FOUND_CARD_OPERATIONS = [
  operation({
    method: 'post',
    path: '/v1/found-cards',
    summary: 'A found card handed in, with its disposition',
    roles: ['station'],
    body: handedIn,
    status: 201,
    other: [404, 409],
    response: handedInSchema,
    handle: async ({ caller, body, res }, { db }) => {
      const registered = await handIn(db, caller, body);
      res.status(201).location(`/v1/found-cards/${registered.foundCardId}`).json(registered);
    },
  }),
  // The cards the station holds (or held), newest first; a manager reads those of the region's stations.
  operation({
    method: 'get',
    path: '/v1/found-cards',
    summary:
      "Found cards newest first, cursor-paged: those a station holds (state HELD, the default; or RETURNED, DESTROYED, all), citizen number in full; a manager's of the region's stations, masked, narrowed by regionCode or stationCode",
    roles: ['station', 'manager', 'admin'],
    query: foundCardListing,
    other: [404],
    response: pageSchema(listedFoundCardSchema),
    handle: async ({ caller, query, res }, { db }) => {
      const scope = await stationRecordScope(db, caller, query);
      const rows = await listFoundCards(db, scope, { state: query.state, after: cursor.decode(query.cursor, isListingCursor), limit: PAGE + 1 });
      const page = pageOf(
        rows,
        PAGE,
        (row): z.output<typeof listedFoundCardSchema> => ({
          foundCardId: row.id,
          handedInAt: row.handedInAt.toISOString(),
          state: row.state,
          disposition: row.disposition,
          person: personOnRecord(caller, row),
          cardValidFrom: row.cardValidFrom,
          cardStatus: row.cardStatus as CardStatus,
          handedInStation: { code: row.handedInStationCode, name: row.handedInStationName },
          closedAt: row.closedAt?.toISOString() ?? null,
          closedByStationCode: row.closedByStationCode,
        }),
        (last) => ({ handedInAt: last.handedInAt.toISOString(), id: last.id }),
      );
      res.set('cache-control', 'no-store').json(page);
    },
  }),
  // A POST, so that citizen numbers stay out of URLs and access logs.
  operation({
    method: 'post',
    path: '/v1/found-cards/inquiries',
    summary: 'An owner asks whether their card was handed in',
    roles: ['station'],
    body: inquiry,
    other: [404, 422],
    response: inquiryAnswerSchema,
    handle: async ({ body, res }, { db }) => {
      res.json(await inquire(db, body));
    },
  }),
  ...(['return', 'destroy'] as const).map((path) =>
    operation({
      method: 'post',
      path: `/v1/found-cards/{id}/${path}`,
      summary: path === 'return' ? 'A found card returned to its owner' : 'A found card destroyed',
      roles: ['station'],
      body: optionalNote,
      other: [404, 409],
      response: closedFoundCardSchema,
      handle: async ({ caller, body: { note }, params, res }, { db, cache }) => {
        res.json(await closeHeld({ db, cache }, caller, params.id, path === 'return' ? 'RETURNED' : 'DESTROYED', note));
      },
    }),
  ),
];

export const foundCardRoutes = (deps: AppDependencies, cache: CardCacheInvalidator): Router => mount(Router(), FOUND_CARD_OPERATIONS, { ...deps, cache });
