import type { Db } from '../../db/knex';
import { call, type RunningApi } from './api';
import { BoundExceeded } from './bounds';

/**
 * The current end of the card-status feed: where a new follower that wants only what comes next
 * starts. An event is numbered once every transaction older than it has ended, in any database of
 * the cluster (a file in the other jest worker may hold one open a while): this waits until every
 * change committed so far in this database is in the feed.
 */
export async function feedEnd(api: RunningApi, db: Db, token: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  let after = 0;
  for (;;) {
    const page = await call(api, 'GET', `/v1/card-status-events?after=${after}&limit=1000&wait=1`, { token });
    if (page.status !== 200) throw new Error(`the feed answered ${page.status}`);
    after = page.body.nextAfter ?? after;
    const unnumbered = page.body.events.length > 0 ? undefined : await db('cardStatusEvents').whereNull('feedSeq').count({ n: '*' }).first();
    if (unnumbered && Number(unnumbered.n) === 0) return after;
    if (Date.now() > deadline) throw new BoundExceeded(`the feed's end: still ${unnumbered ? `${unnumbered.n} committed card changes unnumbered` : 'more events'} after 30 s`);
  }
}
