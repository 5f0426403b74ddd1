import type { Db } from '../knex';
import { regionPrefix } from '../../domain';

export interface OutboxRow {
  id: number;
  createdAt: Date;
  topic: string;
  recipientRole: string;
  recipientCode: string | null;
  payload: Record<string, unknown>;
  dedupeKey: string;
  attempts: number;
}

/** The next undelivered, due, live outbox row no other dispatcher holds, locked until `trx` ends. */
export async function claimNextOutboxRow(trx: Db): Promise<OutboxRow | undefined> {
  return trx('outbox')
    .whereNull('deliveredAt')
    .whereNull('deadAt')
    .where('nextAttemptAt', '<=', trx.fn.now())
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .first('id', 'createdAt', 'topic', 'recipientRole', 'recipientCode', 'payload', 'dedupeKey', 'attempts');
}

export async function markOutboxDelivered(trx: Db, id: number, channel: string): Promise<void> {
  await trx('outbox').where('id', id).update({ deliveredAt: trx.fn.now(), deliveredChannel: channel, lastError: null });
}

export async function markOutboxFailed(trx: Db, id: number, failure: { attempts: number; error: string; retryInMs: number | null }): Promise<void> {
  await trx('outbox')
    .where('id', id)
    .update({
      attempts: failure.attempts,
      lastError: failure.error,
      ...(failure.retryInMs === null ? { deadAt: trx.fn.now() } : { nextAttemptAt: trx.raw(`now() + make_interval(secs => ?)`, [failure.retryInMs / 1000]) }),
    });
}

/** What applicant and staff notices about an application may say, from the read model. */
export interface ApplicationNoticeFacts {
  receiptNumber: string;
  contactPhone: string | null;
  deadlineAt: Date;
  refusalReason: string | null;
  readyForPickupAt: Date | null;
  acceptingStationCode: string;
  stationName: string;
  stationAddress: string | null;
}

export async function applicationNoticeFacts(db: Db, applicationId: string): Promise<ApplicationNoticeFacts | undefined> {
  return db('applications')
    .join('stations', 'stations.code', 'applications.acceptingStationCode')
    .where('applications.id', applicationId)
    .first(
      'applications.receiptNumber',
      'applications.contactPhone',
      'applications.deadlineAt',
      'applications.refusalReason',
      'applications.readyForPickupAt',
      'applications.acceptingStationCode',
      'stations.name as stationName',
      'stations.address as stationAddress',
    );
}

export async function stationRegion(db: Db, stationCode: string): Promise<string | undefined> {
  return (await db('stations').where('code', stationCode).first('regionCode'))?.regionCode;
}

/** Whose inbox: a station's own, or a role's messages within a region (all of them for a national scope: `null`). */
export type InboxScope = { role: 'station'; stationCode: string } | { role: 'reviewer' | 'production' | 'manager'; regionCode: string | null };

export interface InboxRow {
  id: number;
  topic: string;
  text: string;
  applicationId: string | null;
  createdAt: Date;
  readAt: Date | null;
}

function scoped(db: Db, scope: InboxScope) {
  const query = db('inbox').where('recipientRole', scope.role);
  if (scope.role === 'station') return query.where('stationCode', scope.stationCode);
  if (scope.regionCode === null) return query;
  return query.where('regionCode', 'like', `${regionPrefix(scope.regionCode)}%`);
}

export async function listInbox(db: Db, scope: InboxScope, options: { unreadOnly: boolean; beforeId?: number; limit: number }): Promise<InboxRow[]> {
  const query = scoped(db, scope).orderBy('id', 'desc').limit(options.limit);
  if (options.unreadOnly) query.whereNull('readAt');
  if (options.beforeId !== undefined) query.where('id', '<', options.beforeId);
  return query.select('id', 'topic', 'text', 'applicationId', 'createdAt', 'readAt');
}

export async function countUnread(db: Db, scope: InboxScope): Promise<number> {
  const [{ count }] = await scoped(db, scope).whereNull('readAt').count({ count: '*' });
  return Number(count);
}

/** Marks a message read (the first reader's time stays). Undefined when the scope holds no such message. */
export async function markRead(db: Db, scope: InboxScope, id: number, userId: string): Promise<InboxRow | undefined> {
  const found = await scoped(db, scope).where('id', id).first('id');
  if (!found) return undefined;
  await db('inbox').where('id', id).whereNull('readAt').update({ readAt: db.fn.now(), readBy: userId });
  return db('inbox').where('id', id).first('id', 'topic', 'text', 'applicationId', 'createdAt', 'readAt');
}

export interface DeadLetterRow {
  id: number;
  topic: string;
  recipientRole: string;
  createdAt: Date;
  deadAt: Date;
  attempts: number;
  lastError: string | null;
  applicationId: string | null;
}

export async function listDeadLetters(db: Db, options: { beforeId?: number; limit: number }): Promise<DeadLetterRow[]> {
  const query = db('outbox').whereNotNull('deadAt').orderBy('id', 'desc').limit(options.limit);
  if (options.beforeId !== undefined) query.where('id', '<', options.beforeId);
  return query.select('id', 'topic', 'recipientRole', 'createdAt', 'deadAt', 'attempts', 'lastError', db.raw(`payload->>'applicationId' as application_id`));
}

/** A dead letter back in the queue, due now with a fresh set of attempts. False when `id` is no dead letter. */
export async function retryDeadLetter(db: Db, id: number): Promise<boolean> {
  const changed = await db('outbox').where('id', id).whereNotNull('deadAt').whereNull('deliveredAt').update({ deadAt: null, attempts: 0, nextAttemptAt: db.fn.now() });
  return changed === 1;
}
