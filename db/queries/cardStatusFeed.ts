import type { Db } from '../knex';

/** Any fixed number: the advisory lock that serialises publishing across API instances. */
const PUBLISH_LOCK = 0x6665_6564; // 'feed'

/**
 * Numbers, in `feed_seq` order, the events whose transactions have ended before every running
 * transaction began (their `xid` is below the snapshot's xmin): no event still to commit can be
 * numbered before them. One publisher at a time; a caller that finds another publishing skips.
 * Returns how many events it published and whether committed events are left unnumbered (behind a
 * transaction still running, or beyond `max`): those need asking again, no notification may come.
 */
export async function publishFinishedEvents(db: Db, max = 10_000): Promise<{ published: number; pending: boolean }> {
  return db.transaction(async (trx) => {
    const lock = await trx.raw('SELECT pg_try_advisory_xact_lock(?) AS locked', [PUBLISH_LOCK]);
    if (!lock.rows[0].locked) return { published: 0, pending: true };
    const result = await trx.raw(
      `WITH top AS (SELECT coalesce(max(feed_seq), 0) AS seq FROM card_status_events),
            todo AS (
              SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM card_status_events
               WHERE feed_seq IS NULL AND (xid IS NULL OR xid < pg_snapshot_xmin(pg_current_snapshot()))
               ORDER BY seq LIMIT ?)
       UPDATE card_status_events e SET feed_seq = top.seq + todo.n FROM todo, top WHERE e.seq = todo.seq`,
      [max],
    );
    // The partial index of unnumbered events answers this without reading the table.
    const left = await trx.raw('SELECT EXISTS (SELECT 1 FROM card_status_events WHERE feed_seq IS NULL) AS pending');
    return { published: result.rowCount ?? 0, pending: Boolean(left.rows[0].pending) };
  });
}

export interface FeedEventRow {
  feedSeq: string;
  idNumber: string;
  validFrom: string;
  status: string;
  previousStatus: string | null;
  at: Date;
}

export async function eventsAfter(db: Db, after: bigint, limit: number): Promise<FeedEventRow[]> {
  return db('cardStatusEvents')
    .where('feedSeq', '>', after.toString())
    .orderBy('feedSeq')
    .limit(limit)
    .select('feedSeq', 'idNumber', db.raw(`to_char(valid_from, 'YYYY-MM-DD') as valid_from`), 'status', 'previousStatus', 'at');
}
