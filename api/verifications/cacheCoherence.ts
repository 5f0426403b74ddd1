import { randomUUID } from 'node:crypto';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/knex';
import type { InvalidatedCache } from './invalidationListener';

/** Barriers: `b:<instance>:<token>` (an instance's own lease renewal) and `r:<instance>:<token>` (a reporter asking everyone). */
export const CACHE_SYNC_CHANNEL = 'card_cache_sync';
/** `<reporter>:<token>:<instance>`: that instance has processed every notification committed before the reporter's barrier. */
export const CACHE_ACK_CHANNEL = 'card_cache_ack';

/** The cache side: it answers from memory only until the lease it was last granted runs out. */
export interface LeasedCache {
  /** Cache hits are allowed until `performance.now()` reaches `until`. */
  holdLeaseUntil(until: number): void;
}

export interface CoherenceOptions {
  /** How long one confirmed barrier lets the cache answer; also the longest a report waits for acknowledgements. */
  leaseMs: number;
}

export interface ConfirmOutcome {
  /** Other registered instances asked to acknowledge. */
  instances: number;
  acknowledged: number;
  /** Not every instance acknowledged in time: the report was answered once their leases had run out. */
  timedOut: boolean;
}

/**
 * Keeps a card made invalid on one API instance from reading VALID on any other once the change is
 * answered, whatever the notification latency. PostgreSQL delivers notifications in commit order,
 * to each listening connection in turn, and this relies on nothing else:
 *
 * - **Lease.** Every `leaseMs / 4` the instance renews its row in `api_instances` and, in the same
 *   statement, sends a barrier to itself. When its listening connection delivers that barrier, every
 *   status change committed before the barrier was sent has already been delivered and applied, so
 *   the cache may answer until `sent + leaseMs`. No barrier back in time (a stalled process, a slow
 *   or broken connection, a deleted row): cache hits stop by themselves, and every verification reads
 *   the database until a barrier comes back.
 * - **Acknowledgement.** After its change committed, the reporting instance reads the registered
 *   instances and sends a barrier naming itself; each instance acknowledges it on receipt (it has
 *   applied the change by then). The report is answered when all have acknowledged, or after
 *   `leaseMs` (plus a margin) at most: by then any instance that has not acknowledged holds no lease
 *   granted before the change, and any later lease covers it.
 * - **Registry.** An instance's row is inserted before its first lease; each renewal deletes rows
 *   older than twice the lease (instances that died), and a renewal that finds its own row gone
 *   registers again and grants no lease. A deleted row's last lease had run out before it was deleted.
 */
export class CacheCoherence {
  readonly id = randomUUID();
  private beatTimer: NodeJS.Timeout | undefined;
  private beatSeq = 0;
  /** Barrier tokens sent to itself, with `performance.now()` at sending. */
  private readonly beats = new Map<string, number>();
  private readonly waiters = new Map<string, { acked: Set<string>; expected?: Set<string>; done: () => void }>();
  private registered = false;
  private stopped = false;
  private failures = 0;
  readonly stats = { confirmations: 0, timeouts: 0, leaseRenewals: 0 };

  /** The handlers of the two channels, for the instance's `InvalidationListener`. */
  readonly channels: Record<string, InvalidatedCache>;

  constructor(
    private readonly db: Db,
    private readonly cache: LeasedCache,
    private readonly logger: Logger,
    private readonly options: CoherenceOptions,
  ) {
    cache.holdLeaseUntil(0);
    const none = () => undefined;
    this.channels = {
      [CACHE_SYNC_CHANNEL]: { invalidate: (payload) => this.onBarrier(payload), suspend: () => this.dropLease(), resume: none },
      [CACHE_ACK_CHANNEL]: { invalidate: (payload) => this.onAck(payload), suspend: none, resume: none },
    };
  }

  start(): void {
    const period = Math.max(25, Math.floor(this.options.leaseMs / 4));
    this.beatTimer = setInterval(() => void this.beat(), period);
    this.beatTimer.unref();
    void this.beat();
  }

  /** Stops renewing, gives the lease up and leaves the registry (others stop waiting for this instance). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.beatTimer);
    this.dropLease();
    for (const waiter of this.waiters.values()) waiter.done();
    await this.db('apiInstances').where('id', this.id).delete().catch(() => undefined);
  }

  /**
   * Resolves once every other registered instance has acknowledged that it applied the changes this
   * instance committed before the call, or after `leaseMs` and a margin when some did not (their
   * leases have run out by then). Never rejects: if the database cannot be asked, it waits the bound.
   */
  async confirm(): Promise<ConfirmOutcome> {
    const started = performance.now();
    const bound = this.options.leaseMs + Math.max(20, this.options.leaseMs / 10);
    const token = randomUUID();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const waiter: { acked: Set<string>; expected?: Set<string>; done: () => void } = { acked: new Set(), done };
    this.waiters.set(token, waiter);
    const timer = setTimeout(done, bound);
    try {
      const { rows } = await this.db.raw(`select array(select id::text from api_instances where id <> ?) as ids, pg_notify(?, ?)`, [this.id, CACHE_SYNC_CHANNEL, `r:${this.id}:${token}`]);
      waiter.expected = new Set(rows[0].ids as string[]);
      if ([...waiter.expected].every((id) => waiter.acked.has(id))) done();
    } catch (error) {
      this.logger.warn({ err: error }, 'card cache coherence: instances not asked; waiting out their leases');
    }
    await finished;
    clearTimeout(timer);
    this.waiters.delete(token);
    const expected = waiter.expected ? [...waiter.expected] : [];
    const acknowledged = expected.filter((id) => waiter.acked.has(id)).length;
    const timedOut = !waiter.expected || acknowledged < expected.length;
    this.stats.confirmations++;
    if (timedOut) {
      this.stats.timeouts++;
      this.logger.warn({ instances: expected.length, acknowledged, waitedMs: Math.round(performance.now() - started) }, 'card cache coherence: not every instance acknowledged in time; answered after their leases ran out');
    }
    return { instances: expected.length, acknowledged, timedOut };
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.registered) {
        await this.db.raw(`insert into api_instances (id) values (?) on conflict (id) do update set heartbeat_at = now()`, [this.id]);
        this.registered = true;
      }
      const token = String(++this.beatSeq);
      const sent = performance.now();
      this.beats.set(token, sent);
      const expireSeconds = (2 * this.options.leaseMs) / 1000;
      const { rows } = await this.db.raw(
        `with expired as (delete from api_instances where heartbeat_at < now() - make_interval(secs => ?) and id <> ?),
              beat as (update api_instances set heartbeat_at = now() where id = ? returning id)
         select pg_notify(?, ?) from beat`,
        [expireSeconds, this.id, this.id, CACHE_SYNC_CHANNEL, `b:${this.id}:${token}`],
      );
      if (rows.length === 0) {
        // Declared dead by another instance (this one stalled past twice its lease): register again.
        this.beats.delete(token);
        this.registered = false;
        this.dropLease();
      }
      this.failures = 0;
    } catch (error) {
      if (this.failures++ === 0) this.logger.warn({ err: error }, 'card cache coherence: lease not renewed; the cache answers nothing until it is');
    }
  }

  private onBarrier(payload: string): void {
    const [kind, instance, token] = payload.split(':');
    if (kind === 'b' && instance === this.id) {
      const sent = this.beats.get(token);
      if (sent === undefined || this.stopped) return;
      // Barriers come back in order: earlier tokens still waiting were lost with a connection.
      for (const [older, at] of this.beats) if (at <= sent) this.beats.delete(older);
      this.stats.leaseRenewals++;
      this.cache.holdLeaseUntil(sent + this.options.leaseMs);
    } else if (kind === 'r' && instance !== this.id && token) {
      // Every change the reporter committed before this barrier has been applied by now.
      this.db.raw('select pg_notify(?, ?)', [CACHE_ACK_CHANNEL, `${instance}:${token}:${this.id}`]).catch(() => undefined);
    }
  }

  private onAck(payload: string): void {
    const [reporter, token, instance] = payload.split(':');
    if (reporter !== this.id) return;
    const waiter = this.waiters.get(token);
    if (!waiter) return;
    waiter.acked.add(instance);
    if (waiter.expected && [...waiter.expected].every((id) => waiter.acked.has(id))) waiter.done();
  }

  private dropLease(): void {
    this.beats.clear();
    this.cache.holdLeaseUntil(0);
  }
}
