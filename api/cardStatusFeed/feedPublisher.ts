import type { Db } from '../../db/knex';
import { publishFinishedEvents } from '../../db/queries/cardStatusFeed';
import type { InvalidatedCache } from '../verifications/invalidationListener';

/** How often a waiting request asks again when no notification can be relied on. */
export const FEED_POLL_MS = 100;

/**
 * The feed's side of one API instance: numbers finished events for every follower at once, and wakes
 * the long-polls when a card's status changes, instead of each request publishing and polling on its
 * own.
 *
 * - **Publishing** runs at most once at a time per instance, with at most one more queued behind it:
 *   followers asking together share one round (publishing is serialised across instances anyway).
 * - **Waking.** Every status change is announced on the `card_status` channel when its transaction
 *   commits (the status trigger), which the instance's invalidation listener already follows. A
 *   waiting request sleeps until the next announcement; it polls every `FEED_POLL_MS` only while the
 *   listener is down, or while committed events are left unnumbered (behind a transaction still
 *   running, which may end without announcing anything).
 */
export class FeedPublisher implements InvalidatedCache {
  private running: Promise<boolean> | undefined;
  private queued: Promise<boolean> | undefined;
  private listening = false;
  /** Unnumbered events were left by the last round: ask again without waiting for a notification. */
  private pending = true;
  private generation = 0;
  private readonly waiters = new Set<() => void>();
  readonly stats = { rounds: 0, published: 0 };

  constructor(private readonly db: Db) {}

  /** Numbers what has finished; followers asking meanwhile share the round after the running one. */
  publish(): Promise<boolean> {
    if (!this.running) {
      this.running = this.round().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.publish();
      });
    return this.queued;
  }

  /** A mark to pass to `changedSince`: taken before publishing, so no announcement falls in between. */
  mark(): number {
    return this.generation;
  }

  /** Resolves when a change was announced after `mark`, after `ms`, or at once if polling is due. */
  changedSince(mark: number, ms: number): Promise<void> {
    if (ms <= 0 || this.generation !== mark) return Promise.resolve();
    const wait = this.listening && !this.pending ? ms : Math.min(ms, FEED_POLL_MS);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, wait);
      this.waiters.add(wake);
    });
  }

  /** A card's status changed (committed): wake the waiting requests. */
  invalidate(): void {
    this.generation++;
    this.wakeAll();
  }

  /** The listener lost its connection: announcements may be missed, so waiting requests poll. */
  suspend(): void {
    this.listening = false;
    this.wakeAll();
  }

  /** Listening again: whatever was announced meanwhile is found by asking once more. */
  resume(): void {
    this.listening = true;
    this.generation++;
    this.wakeAll();
  }

  /** Wakes every waiting request (they answer what they have); for shutdown. */
  close(): void {
    this.wakeAll();
  }

  private async round(): Promise<boolean> {
    try {
      const { published, pending } = await publishFinishedEvents(this.db);
      this.stats.rounds++;
      this.stats.published += published;
      this.pending = pending;
      return pending;
    } catch (error) {
      this.pending = true;
      throw error;
    }
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
