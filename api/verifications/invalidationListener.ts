import { Client, type ClientConfig } from 'pg';
import type { Logger } from '../../config/logger';
import type { CardFactsCache } from './cardFactsCache';

export const CARD_STATUS_CHANNEL = 'card_status';

/** `application_name` of the listening connection; the pid lets tests find their own. */
export const listenerApplicationName = (pid = process.pid) => `id-cards-listener:${pid}`;

export interface ListenerOptions {
  /** First reconnection delay; doubled per failure up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
  /** A `select 1` this often; no answer within the same time counts as a dropped connection. */
  heartbeatMs: number;
}

/**
 * Keeps one dedicated connection doing `LISTEN card_status` and drops the cached card named by
 * each notification. Notifications are sent by the `cards` triggers inside the changing
 * transaction and delivered at its commit, to every instance.
 *
 * NOTIFY is not durable: anything announced while the connection is down is lost. So when the
 * connection errors, ends or stops answering its heartbeat, the cache is emptied and caching is
 * suspended (every verification reads the database), and once LISTEN is back the cache is emptied
 * again before caching resumes.
 */
export class InvalidationListener {
  private client: Client | undefined;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private listening = false;

  constructor(
    private readonly connection: string | ClientConfig,
    private readonly cache: CardFactsCache,
    private readonly logger: Logger,
    private readonly options: ListenerOptions,
  ) {
    this.retryMs = options.retryMs;
  }

  get isListening(): boolean {
    return this.listening;
  }

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeatTimer);
    this.listening = false;
    this.cache.suspend();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const base = typeof this.connection === 'string' ? { connectionString: this.connection } : this.connection;
    const client = new Client({ ...base, application_name: listenerApplicationName(), keepAlive: true });
    let lost = false;
    const onLost = (error?: unknown) => {
      if (lost) return;
      lost = true;
      this.connectionLost(client, error);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === CARD_STATUS_CHANNEL && message.payload) this.cache.invalidate(message.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CARD_STATUS_CHANNEL}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (lost || this.stopped) return;
    this.listening = true;
    this.retryMs = this.options.retryMs;
    this.cache.resume();
    this.startHeartbeat(client, onLost);
    this.logger.info('card status invalidation: listening, verification cache on');
  }

  private startHeartbeat(client: Client, onLost: (error?: unknown) => void): void {
    clearInterval(this.heartbeatTimer);
    let waiting = false;
    this.heartbeatTimer = setInterval(() => {
      if (waiting) return onLost(new Error('heartbeat not answered'));
      waiting = true;
      client.query('select 1').then(
        () => {
          waiting = false;
        },
        (error) => onLost(error),
      );
    }, this.options.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private connectionLost(client: Client, error?: unknown): void {
    if (this.client !== client) return; // an earlier connection, already replaced
    this.cache.suspend();
    this.client = undefined;
    this.listening = false;
    clearInterval(this.heartbeatTimer);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn({ err: error, retryInMs: this.retryMs }, 'card status invalidation: connection lost, verification cache off');
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs);
  }
}
