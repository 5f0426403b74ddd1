import { Router } from 'express';
import { z } from 'zod';
import { listFoundCards } from '../../db/queries/foundCards';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { cursor, pageOf } from '../paging';
import { personOnRecord, personOnRecordSchema, stationRecordFilter, stationRecordScope } from '../stationRecords';
import { calendarDate, instant } from '../answers';
import { CARD_STATUSES, FOUND_CARD_DISPOSITIONS, type CardStatus } from '../../domain';
import { calendarDateField, idNumberField, isInstant, isUuid, nonEmptyText, parse } from '../validation';
import type { CardCacheInvalidator } from '../verifications/cardFactsCache';
import { closeHeld, handIn, inquire } from './foundCards';

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

/** Lost-and-found (丢失招领): hand-in at any station, the owner's inquiry, return or destruction. */
export function foundCardRoutes(deps: AppDependencies, cache: CardCacheInvalidator): Router {
  const { db } = deps;
  const router = Router();
  const station = allow('station');

  router.post('/found-cards', station, async (req, res) => {
    const registered = await handIn(db, userOf(req), parse(handedIn, req.body));
    res.status(201).location(`/v1/found-cards/${registered.foundCardId}`).json(registered);
  });

  // The cards the station holds (or held), newest first; a manager reads those of the region's stations.
  router.get('/found-cards', allow('station', 'manager', 'admin'), async (req, res) => {
    const user = userOf(req);
    const query = parse(foundCardListing, req.query, 'query');
    const scope = await stationRecordScope(db, user, query);
    const rows = await listFoundCards(db, scope, { state: query.state, after: cursor.decode(query.cursor, isListingCursor), limit: PAGE + 1 });
    const page = pageOf(
      rows,
      PAGE,
      (row): z.output<typeof listedFoundCardSchema> => ({
        foundCardId: row.id,
        handedInAt: row.handedInAt.toISOString(),
        state: row.state,
        disposition: row.disposition,
        person: personOnRecord(user, row),
        cardValidFrom: row.cardValidFrom,
        cardStatus: row.cardStatus as CardStatus,
        handedInStation: { code: row.handedInStationCode, name: row.handedInStationName },
        closedAt: row.closedAt?.toISOString() ?? null,
        closedByStationCode: row.closedByStationCode,
      }),
      (last) => ({ handedInAt: last.handedInAt.toISOString(), id: last.id }),
    );
    res.set('cache-control', 'no-store').json(page);
  });

  // A POST, so that citizen numbers stay out of URLs and access logs.
  router.post('/found-cards/inquiries', station, async (req, res) => {
    res.json(await inquire(db, parse(inquiry, req.body)));
  });

  router.post('/found-cards/:id/return', station, async (req, res) => {
    const { note } = parse(optionalNote, req.body);
    res.json(await closeHeld({ db, cache }, userOf(req), req.params.id as string, 'RETURNED', note));
  });

  router.post('/found-cards/:id/destroy', station, async (req, res) => {
    const { note } = parse(optionalNote, req.body);
    res.json(await closeHeld({ db, cache }, userOf(req), req.params.id as string, 'DESTROYED', note));
  });

  return router;
}
