import { LRUCache } from 'lru-cache';
import type { CardFacts } from '../../domain';
import type { LeasedCache } from './cacheCoherence';

/** `idNumber|validFrom`: the form PostgreSQL's `card_status` NOTIFY payload uses for one card. */
export const cardKey = (idNumber: string, validFrom: string): string => `${idNumber}|${validFrom}`;

/** What is cached per card: its facts, or `null` for "no such card was issued". */
export type CachedFacts = CardFacts | null;

/** Anything that changes a card's status tells the cache of its own instance before answering. */
export interface CardCacheInvalidator {
  invalidate(key: string): void;
  /** Resolves once no API instance can answer from its cache what was invalidated before the call (see `CacheCoherence`). */
  everywhere?(): Promise<unknown>;
}

interface Load {
  promise: Promise<CachedFacts>;
  /** Set when the card changed (or the cache was dropped) while the read was in flight. */
  stale: boolean;
}

/**
 * The card facts of the verification route, cached in memory and dropped per card on a status
 * change. Only facts are cached, never answers: the answer depends on the presented name and the
 * day, and is computed per request by `verifyCard`.
 *
 * The race it guards against: a read that started before a status change committed may finish
 * after the change was announced. Such a read is marked stale when the card is invalidated and
 * never fills the cache; requests arriving after the invalidation start a fresh read instead of
 * joining it. Concurrent misses for one card share one database read.
 *
 * Caching is off until `resume()` (the invalidation channel is listening) and again after
 * `suspend()` (it dropped): then every request reads the database.
 */
export class CardFactsCache implements CardCacheInvalidator, LeasedCache {
  private readonly lru: LRUCache<string, { facts: CachedFacts }> | undefined;
  private readonly loads = new Map<string, Load>();
  private enabled = false;
  /** `performance.now()` until which hits may be served (see `CacheCoherence`); unlimited until a lease is first set. */
  private leaseUntil = Number.POSITIVE_INFINITY;
  readonly stats = { hits: 0, misses: 0, invalidations: 0, suspensions: 0 };

  /**
   * @param max entries kept; 0 disables caching altogether (every request reads the database).
   * @param ttlMs upper bound on an entry's age, a backstop for changes that announce nothing.
   */
  constructor(
    max: number,
    private readonly read: (idNumber: string, validFrom: string) => Promise<CachedFacts>,
    ttlMs = 10 * 60_000,
  ) {
    this.lru = max > 0 ? new LRUCache({ max, ttl: ttlMs, ttlResolution: 100 }) : undefined;
  }

  get caching(): boolean {
    return this.enabled && this.lru !== undefined && performance.now() < this.leaseUntil;
  }

  holdLeaseUntil(until: number): void {
    this.leaseUntil = until;
  }

  /** The cached facts, or undefined on a miss (or while no lease is held). Synchronous: the hot path answers without a promise. */
  peek(key: string): { facts: CachedFacts } | undefined {
    if (!this.enabled || !this.lru || performance.now() >= this.leaseUntil) return undefined;
    const entry = this.lru.get(key);
    if (entry) this.stats.hits++;
    return entry;
  }

  /** Reads the card from the database (sharing a read already in flight) and caches it unless stale. */
  load(idNumber: string, validFrom: string, key = cardKey(idNumber, validFrom)): Promise<CachedFacts> {
    this.stats.misses++;
    const inFlight = this.loads.get(key);
    if (inFlight) return inFlight.promise;
    const load: Load = { stale: false, promise: this.read(idNumber, validFrom) };
    this.loads.set(key, load);
    load.promise.then(
      (facts) => {
        if (this.loads.get(key) === load) this.loads.delete(key);
        if (!load.stale && this.enabled && this.lru) this.lru.set(key, { facts });
      },
      () => {
        if (this.loads.get(key) === load) this.loads.delete(key);
      },
    );
    return load.promise;
  }

  invalidate(key: string): void {
    this.stats.invalidations++;
    this.lru?.delete(key);
    const load = this.loads.get(key);
    if (load) {
      load.stale = true;
      this.loads.delete(key);
    }
  }

  /** The invalidation channel is down: forget everything and stop caching until `resume()`. */
  suspend(): void {
    if (this.enabled) this.stats.suspensions++;
    this.enabled = false;
    this.dropAll();
  }

  /** The invalidation channel listens again: anything may have changed meanwhile, so start empty. */
  resume(): void {
    this.dropAll();
    this.enabled = true;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  private dropAll(): void {
    this.lru?.clear();
    for (const load of this.loads.values()) load.stale = true;
    this.loads.clear();
  }
}
