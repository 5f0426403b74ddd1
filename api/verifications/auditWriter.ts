import type { Logger } from '../../config/logger';
import type { Db } from '../../db/knex';
import { copyVerificationAudit, verificationAuditLine, type VerificationAuditRow } from '../../db/queries/verifications';

export interface AuditWriterOptions {
  /** Rows are written at least this often… */
  flushMs: number;
  /** …or as soon as this many are waiting. */
  batchSize: number;
  /** Beyond this many unwritten rows (the database is down) verifications are refused rather than left unaudited. */
  maxBacklog: number;
}

/** Size of the buffers rows are encoded into. */
const CHUNK_BYTES = 64 * 1024;

/** Rows waiting to be written, already in COPY text form, in buffers outside the JavaScript heap. */
interface Batch {
  chunks: Buffer[];
  rows: number;
}

/**
 * The verification audit, written in batches so that the route never waits for the database:
 * one `COPY` every `flushMs` or `batchSize` rows. A failed batch is kept and retried with the
 * next one; `close()` writes whatever is left.
 *
 * Each row is encoded the moment it is recorded, into a buffer outside the JavaScript heap: at
 * thousands of verifications a second, rows kept as objects until the next flush outlive the
 * young generation and make every garbage collection copy them.
 */
export class VerificationAuditWriter {
  private waiting: Batch = { chunks: [], rows: 0 };
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
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
    return this.waiting.rows;
  }

  get full(): boolean {
    return this.waiting.rows >= this.options.maxBacklog;
  }

  record(row: VerificationAuditRow): void {
    const line = verificationAuditLine(row);
    // At most 3 UTF-8 bytes per UTF-16 code unit.
    if (line.length * 3 > this.chunk.length - this.used) this.startChunk(Buffer.byteLength(line));
    this.used += this.chunk.write(line, this.used);
    this.waiting.rows++;
    if (this.waiting.rows >= this.options.batchSize && !this.writing) void this.flush();
  }

  /** Writes what is waiting (one batch at a time). Never rejects: a failed batch stays queued. */
  flush(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.waiting.rows === 0) return Promise.resolve();
    this.startChunk(0);
    const batch = this.waiting;
    this.waiting = { chunks: [], rows: 0 };
    this.writing = copyVerificationAudit(this.db, batch.chunks)
      .then(
        () => {
          this.failures = 0;
        },
        (error) => {
          this.waiting = { chunks: batch.chunks.concat(this.waiting.chunks), rows: batch.rows + this.waiting.rows };
          if (this.failures++ === 0) this.logger.error({ err: error, backlog: this.waiting.rows }, 'verification audit: batch not written, will retry');
        },
      )
      .finally(() => {
        this.writing = undefined;
      });
    return this.writing;
  }

  /** Stops the timer and writes everything left, retrying a few times if the database hiccups. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (let attempt = 0; attempt < 5 && (this.waiting.rows > 0 || this.writing); attempt++) {
      await this.flush();
      if (this.waiting.rows > 0 && this.failures > 0) await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
    if (this.waiting.rows > 0) this.logger.error({ lost: this.waiting.rows }, 'verification audit: rows could not be written at shutdown');
  }

  /** Moves the filled part of the current buffer to the waiting rows and starts a new one of at least `bytes`. */
  private startChunk(bytes: number): void {
    if (this.used > 0) {
      this.waiting.chunks.push(this.chunk.subarray(0, this.used));
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
      this.used = 0;
    } else if (bytes > this.chunk.length) {
      this.chunk = Buffer.allocUnsafe(bytes);
    }
  }
}
