import { Router } from 'express';
import { z } from 'zod';
import { findBlacklistEntry, listBlacklistEntries } from '../../db/queries/blacklist';
import { regionPrefix } from '../../domain';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { problems } from '../problems';
import { cursor, pageOf } from '../paging';
import { idNumberField, isInstant, isUuid, nonEmptyText, parse } from '../validation';
import { BLACKLIST_CATEGORIES } from '../../domain/blacklist';
import { addToBlacklist, blacklistEntrySchema, ensureBlacklistJurisdiction, entryView, removeFromBlacklist } from './blacklist';

export const addition = z.strictObject({
  idNumber: idNumberField,
  category: z.enum(BLACKLIST_CATEGORIES, { error: `must be one of ${BLACKLIST_CATEGORIES.join(', ')}` }),
  source: nonEmptyText(200),
  note: nonEmptyText(1000).optional(),
});
export const removal = z.strictObject({ reason: nonEmptyText(500) });
export const listing = z.strictObject({ state: z.enum(['active', 'removed', 'all'], { error: 'must be active, removed or all' }).default('active'), cursor: z.string().optional() });

/** An entry as the list shows it: with the person's name and home region. */
export const listedBlacklistEntrySchema = blacklistEntrySchema.extend({ person: z.object({ name: z.string().nullable(), homeRegionCode: z.string().nullable() }) });

const PAGE = 50;
const isEntryCursor = (value: any): value is { addedAt: string; id: string } => isInstant(value?.addedAt) && isUuid(value?.id);

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

  // The entries a manager may act on (people registered in the region; all for national managers and admins), newest first.
  router.get('/blacklist', allow('manager', 'admin'), async (req, res) => {
    const user = userOf(req);
    const query = parse(listing, req.query, 'query');
    const homeRegionPrefix = user.role === 'manager' && user.regionCode ? regionPrefix(user.regionCode) : undefined;
    const rows = await listBlacklistEntries(db, { state: query.state, homeRegionPrefix, after: cursor.decode(query.cursor, isEntryCursor), limit: PAGE + 1 });
    const page = pageOf(rows, PAGE, (row): z.output<typeof listedBlacklistEntrySchema> => ({ ...entryView(row), person: { name: row.name, homeRegionCode: row.homeRegionCode } }), (last) => ({ addedAt: last.addedAt.toISOString(), id: last.id }));
    res.set('cache-control', 'no-store').json(page);
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
