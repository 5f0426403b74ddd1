import type { Logger } from '../../config/logger';
import type { Db } from '../../db/knex';
import { unitRateLimits } from '../../db/queries/verifications';

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Per-unit token buckets, in memory: each unit may make `rate` verifications per second, with a
 * burst of one second's worth. Limits are per API instance (N instances allow N times the rate).
 * A unit's own `rate_limit_per_second` wins over the default; limits are re-read every `refreshMs`.
 */
export class UnitRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private limits = new Map<string, number | null>();
  private refreshing: Promise<void> | undefined;
  private refreshedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly defaultRate: number,
    private readonly logger: Logger,
    private readonly refreshMs = 30_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The unit's rate, or undefined until the limits have been read (call `ready` first). */
  rateOf(unitId: string): number | undefined {
    if (this.now() - this.refreshedAt > this.refreshMs) void this.refresh();
    if (!this.limits.has(unitId)) return undefined;
    return this.limits.get(unitId) ?? this.defaultRate;
  }

  /** Reads the limits if this unit is not known yet (a unit created after start). */
  async ready(unitId: string): Promise<void> {
    if (!this.limits.has(unitId)) await this.refresh();
    if (!this.limits.has(unitId)) this.limits.set(unitId, null);
  }

  /** Takes one token: 0 when allowed, otherwise the seconds to wait. */
  take(unitId: string, rate: number): number {
    const now = this.now();
    let bucket = this.buckets.get(unitId);
    if (!bucket) {
      bucket = { tokens: rate, refilledAt: now };
      this.buckets.set(unitId, bucket);
    } else {
      bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.refilledAt) / 1000) * rate);
      bucket.refilledAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  }

  private refresh(): Promise<void> {
    this.refreshing ??= unitRateLimits(this.db)
      .then(
        (rows) => {
          this.limits = new Map(rows.map((row) => [row.id, row.rateLimitPerSecond]));
          this.refreshedAt = this.now();
        },
        (error) => {
          this.refreshedAt = this.now(); // keep the last known limits; try again next period
          this.logger.warn({ err: error }, 'verification rate limits: could not be read');
        },
      )
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
