import type { Logger } from '../../config/logger';
import type { Db } from '../../db/knex';
import { insertVerificationAudit, type VerificationAuditRow } from '../../db/queries/verifications';

export interface AuditWriterOptions {
  /** Rows are written at least this often… */
  flushMs: number;
  /** …or as soon as this many are waiting. */
  batchSize: number;
  /** Beyond this many unwritten rows (the database is down) verifications are refused rather than left unaudited. */
  maxBacklog: number;
}

/**
 * The verification audit, written in batches so that the route never waits for the database:
 * one multi-row insert every `flushMs` or `batchSize` rows. A failed batch is kept and retried
 * with the next one; `close()` writes whatever is left.
 */
export class VerificationAuditWriter {
  private rows: VerificationAuditRow[] = [];
  private writing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private failures = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: AuditWriterOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref();
  }

  /** Rows recorded but not yet written. */
  get backlog(): number {
    return this.rows.length;
  }

  get full(): boolean {
    return this.rows.length >= this.options.maxBacklog;
  }

  record(row: VerificationAuditRow): void {
    this.rows.push(row);
    if (this.rows.length >= this.options.batchSize && !this.writing) void this.flush();
  }

  /** Writes what is waiting (one batch at a time). Never rejects: a failed batch stays queued. */
  flush(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.rows.length === 0) return Promise.resolve();
    const batch = this.rows;
    this.rows = [];
    this.writing = insertVerificationAudit(this.db, batch).then(
      () => {
        this.failures = 0;
      },
      (error) => {
        this.rows = batch.concat(this.rows);
        if (this.failures++ === 0) this.logger.error({ err: error, backlog: this.rows.length }, 'verification audit: batch not written, will retry');
      },
    ).finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  /** Stops the timer and writes everything left, retrying a few times if the database hiccups. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (let attempt = 0; attempt < 5 && (this.rows.length > 0 || this.writing); attempt++) {
      await this.flush();
      if (this.rows.length > 0 && this.failures > 0) await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
    if (this.rows.length > 0) this.logger.error({ lost: this.rows.length }, 'verification audit: rows could not be written at shutdown');
  }
}
