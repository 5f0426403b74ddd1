import { Router } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../db/queries/auditLog';
import { countUnread, listDeadLetters, listInbox, markRead, retryDeadLetter, type InboxScope } from '../../db/queries/notifications';
import type { CallerAs } from '../../db/users';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { cursor, pageOf, pageSchema } from '../paging';
import { problems } from '../problems';
import { instant } from '../answers';

const PAGE = 50;

export const inboxListing = z.strictObject({ unread: z.enum(['true', 'false']).optional(), cursor: z.string().optional() });
export const deadLetterListing = z.strictObject({ cursor: z.string().optional() });

const isIdCursor = (value: any): value is { id: string } => typeof value?.id === 'string' && /^\d{1,18}$/.test(value.id);
const numericId = (value: unknown, what: string): number => {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw problems.notFound(what);
  return Number(value);
};

/** The roles with an inbox. */
const STAFF = ['station', 'reviewer', 'production', 'manager'] as const;

/** A station reads its own inbox; reviewers, production centres and managers theirs within their region (national managers: all). */
function inboxScope(user: CallerAs<(typeof STAFF)[number]>): InboxScope {
  if (user.role === 'station') return { role: 'station', stationCode: user.stationCode };
  if (user.role === 'production') return { role: 'production', regionCode: user.provinceCode };
  return { role: user.role, regionCode: user.regionCode };
}

/** An inbox message ({@link messageView}). */
export const inboxMessageSchema = z.object({ id: z.string().regex(/^\d+$/), topic: z.string(), text: z.string(), applicationId: z.uuid().nullable(), createdAt: instant, readAt: instant.nullable() });
/** A notification that could not be delivered after every attempt. */
export const deadLetterSchema = z.object({
  id: z.string().regex(/^\d+$/),
  topic: z.string(),
  recipientRole: z.string(),
  applicationId: z.uuid().nullable(),
  attempts: z.int().min(0),
  lastError: z.string().nullable(),
  createdAt: instant,
  deadAt: instant,
});
export const unreadCountSchema = z.object({ unreadCount: z.int().min(0) });
/** The inbox: a page of messages, and the unread count. */
export const inboxPageSchema = pageSchema(inboxMessageSchema).extend(unreadCountSchema.shape);
/** A dead letter queued again (202). */
export const retriedDeadLetterSchema = z.object({ id: z.string().regex(/^\d+$/), state: z.literal('QUEUED') });

const messageView = (row: { id: number; topic: string; text: string; applicationId: string | null; createdAt: Date; readAt: Date | null }): z.output<typeof inboxMessageSchema> => ({
  id: String(row.id),
  topic: row.topic,
  text: row.text,
  applicationId: row.applicationId,
  createdAt: row.createdAt.toISOString(),
  readAt: row.readAt?.toISOString() ?? null,
});

const operation = operationsWith<AppDependencies>();

/**
 * Notifications inside the system: each role's inbox (unread count, listing, marking read) and, for
 * admins, the dead letters — notifications that could not be delivered — with a retry.
 */
export const NOTIFICATION_OPERATIONS = [
  operation({
    method: 'get',
    path: '/v1/inbox',
    summary: "The caller's inbox (station, reviewer, production centre, manager), newest first, with the unread count",
    roles: STAFF,
    query: inboxListing,
    queryNamedBody: true,
    response: inboxPageSchema,
    handle: async ({ caller, query, res }, { db }) => {
      const scope = inboxScope(caller);
      const after = cursor.decode(query.cursor, isIdCursor);
      const rows = await listInbox(db, scope, { unreadOnly: query.unread === 'true', beforeId: after ? Number(after.id) : undefined, limit: PAGE + 1 });
      res.json({ ...pageOf(rows, PAGE, messageView, (last) => ({ id: String(last.id) })), unreadCount: await countUnread(db, scope) } satisfies z.output<typeof inboxPageSchema>);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/inbox/unread-count',
    summary: "Unread messages in the caller's inbox",
    roles: STAFF,
    response: unreadCountSchema,
    handle: async ({ caller, res }, { db }) => {
      res.json({ unreadCount: await countUnread(db, inboxScope(caller)) });
    },
  }),
  operation({
    method: 'post',
    path: '/v1/inbox/{id}/read',
    summary: 'Mark an inbox message read',
    roles: STAFF,
    other: [404],
    response: inboxMessageSchema,
    handle: async ({ caller, params, res }, { db }) => {
      const row = await markRead(db, inboxScope(caller), numericId(params.id, 'The message'), caller.id);
      if (!row) throw problems.notFound('The message');
      res.json(messageView(row));
    },
  }),
  operation({
    method: 'get',
    path: '/v1/notifications/dead-letters',
    summary: 'Notifications that could not be delivered after every attempt',
    roles: ['admin'],
    query: deadLetterListing,
    queryNamedBody: true,
    response: pageSchema(deadLetterSchema),
    handle: async ({ query, res }, { db }) => {
      const after = cursor.decode(query.cursor, isIdCursor);
      const rows = await listDeadLetters(db, { beforeId: after ? Number(after.id) : undefined, limit: PAGE + 1 });
      res.json(
        pageOf(
          rows,
          PAGE,
          (row): z.output<typeof deadLetterSchema> => ({ id: String(row.id), topic: row.topic, recipientRole: row.recipientRole, applicationId: row.applicationId, attempts: row.attempts, lastError: row.lastError, createdAt: row.createdAt.toISOString(), deadAt: row.deadAt.toISOString() }),
          (last) => ({ id: String(last.id) }),
        ),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/v1/notifications/dead-letters/{id}/retry',
    summary: 'Queue a dead letter for delivery again',
    roles: ['admin'],
    status: 202,
    other: [404],
    response: retriedDeadLetterSchema,
    handle: async ({ caller, params, res }, { db }) => {
      const id = numericId(params.id, 'The dead letter');
      const retried = await db.transaction(async (trx) => {
        if (!(await retryDeadLetter(trx, id))) return false;
        await recordAudit(trx, { actor: caller.id, action: 'notification.retried', subjectType: 'outbox', subjectId: String(id) });
        return true;
      });
      if (!retried) throw problems.notFound('The dead letter');
      res.status(202).json({ id: String(id), state: 'QUEUED' });
    },
  }),
];

export const notificationRoutes = (deps: AppDependencies): Router => mount(Router(), NOTIFICATION_OPERATIONS, deps);
