import { Client, type ClientConfig } from 'pg';
import type { Logger } from '../../config/logger';

/** A cache the listener keeps honest: entries dropped per notification, everything while not listening. */
export interface InvalidatedCache {
  invalidate(payload: string): void;
  suspend(): void;
  resume(): void;
}

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
 * Keeps one dedicated connection doing `LISTEN` on each channel of `caches` (`card_status` for the
 * verification cache, `user_changed` for the authentication cache) and drops the cached entry named
 * by each notification. Notifications are sent by table triggers inside the changing transaction
 * and delivered at its commit, to every instance.
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
    private readonly caches: Record<string, InvalidatedCache>,
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
    this.suspendAll();
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
      if (message.payload && Object.hasOwn(this.caches, message.channel)) this.caches[message.channel].invalidate(message.payload);
    });
    this.client = client;
    try {
      await client.connect();
      for (const channel of Object.keys(this.caches)) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (lost || this.stopped) return;
    this.listening = true;
    this.retryMs = this.options.retryMs;
    for (const cache of Object.values(this.caches)) cache.resume();
    this.startHeartbeat(client, onLost);
    this.logger.info('card status and account invalidation: listening, caches on');
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

  private suspendAll(): void {
    for (const cache of Object.values(this.caches)) cache.suspend();
  }

  private connectionLost(client: Client, error?: unknown): void {
    if (this.client !== client) return; // an earlier connection, already replaced
    this.suspendAll();
    this.client = undefined;
    this.listening = false;
    clearInterval(this.heartbeatTimer);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn({ err: error, retryInMs: this.retryMs }, 'card status and account invalidation: connection lost, caches off');
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs);
  }
}
