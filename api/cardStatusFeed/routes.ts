import { Router } from 'express';
import { z } from 'zod';
import { eventsAfter, type FeedEventRow } from '../../db/queries/cardStatusFeed';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import type { FeedPublisher } from './feedPublisher';
import { CARD_STATUSES, type CardStatus } from '../../domain';
import { calendarDate, instant } from '../answers';

/** One event of the feed ({@link eventView}): no names. */
export const cardStatusEventSchema = z.object({
  seq: z.int().min(1),
  idNumber: z.string(),
  cardValidFrom: calendarDate,
  status: z.enum(CARD_STATUSES),
  reason: z.enum(['ISSUED', 'LOSS_REPORT_WITHDRAWN', 'LOSS_REPORTED', 'REPLACED', 'FOUND_AND_DESTROYED']).optional(),
  at: instant,
});
/** A batch of the feed: ask again from `nextAfter`. */
export const cardStatusEventsSchema = z.object({ events: z.array(cardStatusEventSchema), nextAfter: z.int().min(0) });

export const feedQuery = z.strictObject({
  after: z.string().regex(/^\d{1,18}$/, 'must be a sequence number (0 for the beginning)').default('0'),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(1_000).default(100),
  wait: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).max(60).default(0),
});

/** Why a card's status changed, read from the change itself. */
function reasonOf(row: FeedEventRow): z.output<typeof cardStatusEventSchema>['reason'] {
  if (row.status === 'ACTIVE') return row.previousStatus === 'REPORTED_LOST' ? 'LOSS_REPORT_WITHDRAWN' : row.previousStatus === null ? 'ISSUED' : undefined;
  if (row.status === 'REPORTED_LOST') return 'LOSS_REPORTED';
  if (row.status === 'SUPERSEDED') return 'REPLACED';
  if (row.status === 'DESTROYED') return 'FOUND_AND_DESTROYED';
  return undefined;
}

const eventView = (row: FeedEventRow): z.output<typeof cardStatusEventSchema> => {
  const reason = reasonOf(row);
  return { seq: Number(row.feedSeq), idNumber: row.idNumber, cardValidFrom: row.validFrom, status: row.status as CardStatus, ...(reason ? { reason } : {}), at: row.at.toISOString() };
};

export type CardStatusFeedDeps = AppDependencies & { feed: FeedPublisher };

/**
 * `GET /v1/card-status-events?after=&limit=&wait=`: the card-status feed for downstream platforms,
 * in increasing `seq`, with no names. Asking again from `nextAfter` never misses an event nor repeats
 * one (see the card-status feed migration for why). With nothing new it waits up to `wait` seconds,
 * woken by the instance's `FeedPublisher` when a card's status changes.
 */
export const CARD_STATUS_FEED_OPERATIONS = [
  operationsWith<CardStatusFeedDeps>()({
    method: 'get',
    path: '/v1/card-status-events',
    summary: 'The card-status feed: events after `after` in increasing seq, long-polling up to `wait` s; ask again from nextAfter',
    roles: ['platform', 'admin'],
    query: feedQuery,
    queryNamedBody: true,
    response: cardStatusEventsSchema,
    handle: async ({ query, req, res }, { db, feed }) => {
      const after = BigInt(query.after);
      const until = Date.now() + query.wait * 1000;
      let closed = false;
      req.on('close', () => (closed = true));
      for (;;) {
        const mark = feed.mark();
        await feed.publish();
        const rows = await eventsAfter(db, after, query.limit);
        if (rows.length > 0 || Date.now() >= until || closed) {
          res.set('cache-control', 'no-store').json({ events: rows.map(eventView), nextAfter: rows.length ? Number(rows.at(-1)!.feedSeq) : Number(after) });
          return;
        }
        await feed.changedSince(mark, until - Date.now());
      }
    },
  }),
];

export const cardStatusFeedRoutes = (deps: AppDependencies, feed: FeedPublisher): Router => mount(Router(), CARD_STATUS_FEED_OPERATIONS, { ...deps, feed });
