import { Router } from 'express';
import { z } from 'zod';
import { findBlacklistEntry } from '../../db/queries/blacklist';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { problems } from '../problems';
import { idNumberField, isUuid, nonEmptyText, parse } from '../validation';
import { addToBlacklist, BLACKLIST_CATEGORIES, ensureBlacklistJurisdiction, entryView, removeFromBlacklist } from './blacklist';

export const addition = z.strictObject({
  idNumber: idNumberField,
  category: z.enum(BLACKLIST_CATEGORIES, { error: `must be one of ${BLACKLIST_CATEGORIES.join(', ')}` }),
  source: nonEmptyText(200),
  note: nonEmptyText(1000).optional(),
});
export const removal = z.strictObject({ reason: nonEmptyText(500) });

/**
 * The blacklist of dishonest persons. Managers and admins add; only admins remove (issue 4 narrows
 * API.md here), always with a reason. A regional manager adds and reads only entries about people
 * registered in their region. Acceptance reads it through `isBlacklisted`.
 */
export function blacklistRoutes(deps: AppDependencies): Router {
  const { db } = deps;
  const router = Router();

  router.post('/blacklist', allow('manager', 'admin'), async (req, res) => {
    const user = userOf(req);
    const request = parse(addition, req.body);
    await ensureBlacklistJurisdiction(db, user, request.idNumber);
    const entry = await addToBlacklist(db, user, request);
    res.status(201).location(`/v1/blacklist/${entry.blacklistEntryId}`).json(entry);
  });

  router.get('/blacklist/:id', allow('manager', 'admin'), async (req, res) => {
    const id = req.params.id as string;
    const entry = isUuid(id) ? await findBlacklistEntry(db, id) : undefined;
    if (!entry) throw problems.notFound('The blacklist entry');
    await ensureBlacklistJurisdiction(db, userOf(req), entry.idNumber);
    res.json(entryView(entry));
  });

  router.delete('/blacklist/:id', allow('admin'), async (req, res) => {
    const id = req.params.id as string;
    // The reason may come in the body or, for clients that send no body with DELETE, as ?reason=.
    const { reason } = parse(removal, req.body ?? (typeof req.query.reason === 'string' ? { reason: req.query.reason } : {}));
    if (!isUuid(id)) throw problems.notFound('The blacklist entry');
    res.json(await removeFromBlacklist(db, userOf(req), id, reason));
  });

  return router;
}
