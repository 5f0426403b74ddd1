import type { Knex } from 'knex';
import type { ClientConfig } from 'pg';
import type { Config } from '../../config';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/knex';
import { findCardFacts } from '../../db/queries/cardRegistry';
import { VerificationAuditWriter } from './auditWriter';
import { CacheCoherence } from './cacheCoherence';
import { CardFactsCache, type CardCacheInvalidator } from './cardFactsCache';
import { CARD_STATUS_CHANNEL, InvalidationListener, type InvalidatedCache } from './invalidationListener';
import { UnitRateLimiter } from './rateLimiter';

/** The verification machinery of one API instance: cache, its invalidation channel, audit and rate limits. */
export interface Verifications {
  cache: CardFactsCache;
  /** Invalidates on this instance and, through `everywhere()`, waits until no instance can still serve the card. */
  invalidator: Required<CardCacheInvalidator>;
  coherence: CacheCoherence;
  listener: InvalidationListener;
  audit: VerificationAuditWriter;
  limiter: UnitRateLimiter;
  /** Stops listening and writes the audit rows still waiting; call once the server no longer takes requests. */
  close(): Promise<void>;
}

/** `alsoInvalidated`: other caches of the instance kept honest by the same LISTEN connection, by channel (on `card_status`, after the card cache). */
export function createVerifications(deps: { db: Db; config: Config; logger: Logger }, alsoInvalidated: Record<string, InvalidatedCache> = {}): Verifications {
  const { db, config, logger } = deps;
  const cache = new CardFactsCache(config.VERIFICATION_CACHE_SIZE, async (idNumber, validFrom) => (await findCardFacts(db, idNumber, validFrom)) ?? null);
  const coherence = new CacheCoherence(db, cache, logger, { leaseMs: config.VERIFICATION_CACHE_LEASE_MS });
  const alsoOnCardStatus = alsoInvalidated[CARD_STATUS_CHANNEL];
  const onCardStatus = alsoOnCardStatus ? both(cache, alsoOnCardStatus) : cache;
  const listener = new InvalidationListener(connectionOf(db), { ...alsoInvalidated, ...coherence.channels, [CARD_STATUS_CHANNEL]: onCardStatus }, logger, {
    retryMs: config.VERIFICATION_LISTENER_RETRY_MS,
    maxRetryMs: Math.max(config.VERIFICATION_LISTENER_RETRY_MS, 30_000),
    heartbeatMs: config.VERIFICATION_LISTENER_HEARTBEAT_MS,
  });
  const audit = new VerificationAuditWriter(db, logger, {
    flushMs: config.VERIFICATION_AUDIT_FLUSH_MS,
    batchSize: config.VERIFICATION_AUDIT_BATCH_SIZE,
    maxBacklog: config.VERIFICATION_AUDIT_MAX_BACKLOG,
  });
  const limiter = new UnitRateLimiter(db, config.VERIFICATION_RATE_LIMIT, logger);
  listener.start();
  coherence.start();
  return {
    cache,
    invalidator: { invalidate: (key) => cache.invalidate(key), everywhere: () => coherence.confirm() },
    coherence,
    listener,
    audit,
    limiter,
    close: async () => {
      await coherence.stop();
      await listener.stop();
      await audit.close();
    },
  };
}

/** One channel, two listeners: the card cache first (verifications must not read a stale card), then the other. */
function both(first: InvalidatedCache, second: InvalidatedCache): InvalidatedCache {
  return {
    invalidate: (payload) => {
      first.invalidate(payload);
      second.invalidate(payload);
    },
    suspend: () => {
      first.suspend();
      second.suspend();
    },
    resume: () => {
      first.resume();
      second.resume();
    },
  };
}

/** The listening connection goes where the pool goes. */
function connectionOf(db: Db): string | ClientConfig {
  const { connection } = db.client.config as Knex.Config;
  if (typeof connection === 'string') return connection;
  if (connection && typeof connection === 'object') {
    // knex keeps the password as a non-enumerable property (out of logs): copy every own property.
    return Object.fromEntries(Object.getOwnPropertyNames(connection).map((name) => [name, (connection as Record<string, unknown>)[name]])) as ClientConfig;
  }
  throw new Error('the database connection is not a URL or a settings object');
}
