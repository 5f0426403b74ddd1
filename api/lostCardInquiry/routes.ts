import { Router } from 'express';
import { z } from 'zod';
import { registeredName } from '../../db/queries/cardRegistry';
import { heldForOwner } from '../../db/queries/lostCardInquiry';
import { namesMatch } from '../../domain';
import type { AppDependencies } from '../app';
import { anonymousLookup } from '../anonymousLookupLimit';
import { problems } from '../problems';
import { mount, operationsWith } from '../operation';
import { idNumberField, nonEmptyText } from '../validation';
import { calendarDate, instant } from '../answers';

export const lostCardInquiry = z.strictObject({ idNumber: idNumberField, name: nonEmptyText(50) });
/** Whether a card of theirs is held, and where: the station's name and address, nothing else. */
export const lostCardAnswerSchema = z.object({
  held: z.boolean(),
  cards: z.array(z.object({ cardValidFrom: calendarDate, handedInAt: instant, station: z.object({ name: z.string(), address: z.string().nullable() }) })),
});

/**
 * `POST /v1/lost-card-inquiries`: a citizen, without logging in, asks whether a card of theirs was
 * handed in and where it is held (station name and address). The citizen number and the registry's
 * name must both match; anything else reads "not found", so the route tells a guesser nothing.
 * Rate-limited per client address like the status lookup; POST keeps the number out of URLs.
 */
export const LOST_CARD_INQUIRY_OPERATIONS = [
  operationsWith<AppDependencies>()({
    method: 'post',
    path: '/v1/lost-card-inquiries',
    summary: 'A citizen asks without login whether a handed-in card is held and where',
    ...anonymousLookup,
    body: lostCardInquiry,
    response: lostCardAnswerSchema,
    handle: async ({ body: { idNumber, name }, res }, { db }) => {
      const registered = await registeredName(db, idNumber);
      if (registered === undefined || !namesMatch(name, registered)) throw problems.notFound('A citizen with this number and name');
      const held = await heldForOwner(db, idNumber);
      res.set('cache-control', 'no-store').json({
        held: held.length > 0,
        cards: held.map((row) => ({ cardValidFrom: row.cardValidFrom, handedInAt: row.handedInAt.toISOString(), station: { name: row.stationName, address: row.stationAddress } })),
      } satisfies z.output<typeof lostCardAnswerSchema>);
    },
  }),
];

/** Mounted on the app itself, ahead of authentication. */
export const lostCardInquiryRoutes = (deps: AppDependencies): Router => mount(Router(), LOST_CARD_INQUIRY_OPERATIONS, deps, '');
