import { Router } from 'express';
import { z } from 'zod';
import { findBlacklistEntry, listBlacklistEntries } from '../../db/queries/blacklist';
import type { AppDependencies } from '../app';
import { peopleScope } from '../jurisdiction';
import { mount, operationsWith } from '../operation';
import { problems } from '../problems';
import { cursor, pageOf, pageSchema } from '../paging';
import { idNumberField, isInstant, isUuid, nonEmptyText } from '../validation';
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

const operation = operationsWith<AppDependencies>();

/**
 * The blacklist of dishonest persons. Managers and admins add; only admins remove (issue 4 narrows
 * API.md here), always with a reason. A regional manager adds and reads only entries about people
 * registered in their region. Acceptance reads it through `isBlacklisted`.
 */
export const BLACKLIST_OPERATIONS = [
  operation({
    method: 'post',
    path: '/v1/blacklist',
    summary: 'Add a person to the blacklist',
    roles: ['manager', 'admin'],
    body: addition,
    status: 201,
    other: [409],
    response: blacklistEntrySchema,
    handle: async ({ caller, body, res }, { db }) => {
      await ensureBlacklistJurisdiction(db, caller, body.idNumber);
      const entry = await addToBlacklist(db, caller, body);
      res.status(201).location(`/v1/blacklist/${entry.blacklistEntryId}`).json(entry);
    },
  }),
  // The entries a manager may act on (people registered in the region; all for national managers and admins), newest first.
  operation({
    method: 'get',
    path: '/v1/blacklist',
    summary: "Blacklist entries newest first, cursor-paged, with the person's name (a regional manager: people registered in the region); state active (default), removed or all",
    roles: ['manager', 'admin'],
    query: listing,
    response: pageSchema(listedBlacklistEntrySchema),
    handle: async ({ caller, query, res }, { db }) => {
      const rows = await listBlacklistEntries(db, { state: query.state, homeRegionPrefix: peopleScope(caller), after: cursor.decode(query.cursor, isEntryCursor), limit: PAGE + 1 });
      const page = pageOf(rows, PAGE, (row): z.output<typeof listedBlacklistEntrySchema> => ({ ...entryView(row), person: { name: row.name, homeRegionCode: row.homeRegionCode } }), (last) => ({ addedAt: last.addedAt.toISOString(), id: last.id }));
      res.set('cache-control', 'no-store').json(page);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/blacklist/{id}',
    summary: 'One blacklist entry',
    roles: ['manager', 'admin'],
    other: [404],
    response: blacklistEntrySchema,
    handle: async ({ caller, params, res }, { db }) => {
      const entry = isUuid(params.id) ? await findBlacklistEntry(db, params.id) : undefined;
      if (!entry) throw problems.notFound('The blacklist entry');
      await ensureBlacklistJurisdiction(db, caller, entry.idNumber);
      res.json(entryView(entry));
    },
  }),
  operation({
    method: 'delete',
    path: '/v1/blacklist/{id}',
    summary: 'Remove a blacklist entry, with a reason',
    roles: ['admin'],
    body: removal,
    // The reason may come in the body or, for clients that send no body with DELETE, as ?reason=.
    bodyFrom: (req) => req.body ?? (typeof req.query.reason === 'string' ? { reason: req.query.reason } : {}),
    other: [404, 409],
    response: blacklistEntrySchema,
    handle: async ({ caller, body: { reason }, params, res }, { db }) => {
      if (!isUuid(params.id)) throw problems.notFound('The blacklist entry');
      res.json(await removeFromBlacklist(db, caller, params.id, reason));
    },
  }),
];

export const blacklistRoutes = (deps: AppDependencies): Router => mount(Router(), BLACKLIST_OPERATIONS, deps);
