import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { calendarDateField, idNumberField, nonEmptyText, parse } from '../validation';
import type { CardCacheInvalidator } from '../verifications/cardFactsCache';
import { closeHeld, handIn, inquire } from './foundCards';

export const handedIn = z.strictObject({ idNumber: idNumberField, cardValidFrom: calendarDateField });
export const inquiry = z.strictObject({ idNumber: idNumberField, name: nonEmptyText(50) });
export const optionalNote = z.strictObject({ note: nonEmptyText().optional() });

/** Lost-and-found (丢失招领): hand-in at any station, the owner's inquiry, return or destruction. */
export function foundCardRoutes(deps: AppDependencies, cache: CardCacheInvalidator): Router {
  const { db } = deps;
  const router = Router();
  const station = allow('station');

  router.post('/found-cards', station, async (req, res) => {
    const registered = await handIn(db, userOf(req), parse(handedIn, req.body));
    res.status(201).location(`/v1/found-cards/${registered.foundCardId}`).json(registered);
  });

  // A POST, so that citizen numbers stay out of URLs and access logs.
  router.post('/found-cards/inquiries', station, async (req, res) => {
    res.json(await inquire(db, parse(inquiry, req.body)));
  });

  router.post('/found-cards/:id/return', station, async (req, res) => {
    parse(optionalNote, req.body);
    res.json(await closeHeld({ db, cache }, userOf(req), req.params.id as string, 'RETURNED'));
  });

  router.post('/found-cards/:id/destroy', station, async (req, res) => {
    parse(optionalNote, req.body);
    res.json(await closeHeld({ db, cache }, userOf(req), req.params.id as string, 'DESTROYED'));
  });

  return router;
}
